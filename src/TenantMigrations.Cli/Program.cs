using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using TenantMigrations.Cli;

// tenantmigrations status|migrate|new|export — see CliApp for the commands and ExitCodes for the exit codes.
using var cancellation = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

var root = CliApp.CreateRootCommand();
ParseResult parseResult;
try
{
    parseResult = root.Parse(args);
}
catch (Exception ex)
{
    Console.Error.WriteLine($"error: {CliConsole.RedactArguments(ex.Message, args)}");
    return ExitCodes.InvalidInput;
}
var problems = parseResult.Errors.Select(e => e.Message).Concat(OptionValueCheck.Problems(parseResult)).Distinct().ToList();
if (parseResult.Action is ParseErrorAction || problems.Count > 0)
{
    var console = CliConsole.ForProcess();
    var messages = problems.Select(message => CliConsole.RedactArguments(message, args)).ToList();
    if (args.Contains("--json")) console.Json(JsonLines.Error("InvalidArgument", string.Join(" ", messages), ExitCodes.InvalidInput));
    foreach (var message in messages) console.Error($"error: {message}");
    Console.Error.WriteLine("Run 'tenantmigrations --help' for usage.");
    return ExitCodes.InvalidInput;
}
return await parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancellation.Token);

// The first Ctrl+C (or SIGTERM) cancels the run so the migration in flight rolls back; a second one ends the process.
void OnSignal(PosixSignalContext context)
{
    if (cancellation.IsCancellationRequested) return;
    context.Cancel = true;
    Console.Error.WriteLine("Cancelling: no new tenant starts, the migration in flight rolls back where it is transactional...");
    cancellation.Cancel();
}
