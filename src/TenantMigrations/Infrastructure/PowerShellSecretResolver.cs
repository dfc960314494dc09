using System.Management.Automation;
using System.Net;
using System.Security;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Commands;

/// <summary>
/// Resolves the secrets tenant rows name through Get-Secret (Microsoft.PowerShell.SecretManagement), looked up in the
/// caller's session state, so any registered vault works (and a Get-Secret function stands in for it in tests).
/// Runs only on the pipeline thread, before workers start: PowerShell commands cannot run on worker threads.
/// Each secret is read once per call; no value is ever written to output, errors or logs.
/// </summary>
internal sealed class PowerShellSecretResolver(PSCmdlet cmdlet) : ISecretResolver
{
    private const string GetSecret = "Get-Secret";

    private const string Invocation =
        "param($command, $name, $vault) if ($vault) { & $command -Name $name -Vault $vault -AsPlainText -ErrorAction Stop } else { & $command -Name $name -AsPlainText -ErrorAction Stop }";

    private readonly Dictionary<(string Name, string? Vault), SecretLookup> resolved = [];

    public SecretLookup Resolve(string secretName, string? vault)
    {
        if (resolved.TryGetValue((secretName, vault), out var known)) return known;
        var lookup = Lookup(secretName, vault);
        resolved[(secretName, vault)] = lookup;
        return lookup;
    }

    private SecretLookup Lookup(string secretName, string? vault)
    {
        var described = vault is null ? $"secret '{secretName}'" : $"secret '{secretName}' in vault '{vault}'";
        var command = cmdlet.InvokeCommand.GetCommand(GetSecret, CommandTypes.Function | CommandTypes.Cmdlet | CommandTypes.Alias | CommandTypes.ExternalScript);
        if (command is null)
        {
            return SecretLookup.Unavailable($"{described} cannot be resolved: {GetSecret} is not available; install and import Microsoft.PowerShell.SecretManagement and register a vault.");
        }
        System.Collections.ObjectModel.Collection<PSObject> output;
        try
        {
            output = cmdlet.InvokeCommand.InvokeScript(useLocalScope: true, cmdlet.InvokeCommand.NewScriptBlock(Invocation), null, command, secretName, vault);
        }
        catch (RuntimeException ex)
        {
            // Only the error id: a vault's message is not ours to vet for secrets.
            return SecretLookup.Unavailable($"{described} could not be read: {GetSecret} failed ({ex.ErrorRecord?.FullyQualifiedErrorId ?? ex.GetType().Name}).");
        }
        var value = output.Select(o => o?.BaseObject).FirstOrDefault(o => o is not null);
        return value switch
        {
            string text when text.Length > 0 => SecretLookup.Found(text),
            SecureString secure when secure.Length > 0 => SecretLookup.Found(new NetworkCredential("", secure).Password),
            PSCredential credential => SecretLookup.Found(credential.GetNetworkCredential().Password),
            null => SecretLookup.Unavailable($"{described} was not found."),
            _ => SecretLookup.Unavailable($"{described} is a {value.GetType().Name}, not a password (a string or SecureString)."),
        };
    }
}
