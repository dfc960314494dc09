namespace TenantMigrations.Commands;

/// <summary>Where Get-Help -Online sends users: the help sources, which the MAML help is generated from.</summary>
internal static class HelpLinks
{
    public const string Base = "https://github.com/tenantmigrations/tenantmigrations/blob/main/docs/help/";
}
