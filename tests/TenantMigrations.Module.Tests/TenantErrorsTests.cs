using TenantMigrations.Engine;
using TenantMigrations.Engine.Commands;

namespace TenantMigrations.Module.Tests;

public sealed class TenantErrorsTests
{
    [Theory]
    [InlineData(TenantState.Failed, false, ErrorIds.MigrationFailed)]
    [InlineData(TenantState.Drifted, false, ErrorIds.ChecksumMismatch)]
    [InlineData(TenantState.Incomplete, false, ErrorIds.IncompleteMigration)]
    [InlineData(TenantState.Locked, false, ErrorIds.TenantLocked)]
    [InlineData(TenantState.Unreachable, false, ErrorIds.TenantUnreachable)]
    [InlineData(TenantState.Invalid, false, ErrorIds.InvalidMigration)]
    [InlineData(TenantState.Pending, true, ErrorIds.OutOfOrder)]
    public void Each_blocking_state_has_a_stable_error_id(TenantState state, bool outOfOrder, string expected) =>
        Assert.Equal(expected, TenantErrors.ErrorIdFor(state, outOfOrder));

    [Theory]
    [InlineData(ErrorIds.MigrationFailed, "InvalidOperation")]
    [InlineData(ErrorIds.TenantLocked, "ResourceBusy")]
    [InlineData(ErrorIds.ChecksumMismatch, "InvalidData")]
    [InlineData(ErrorIds.IncompleteMigration, "InvalidData")]
    [InlineData(ErrorIds.TenantUnreachable, "ConnectionError")]
    [InlineData(ErrorIds.Cancelled, "OperationStopped")]
    public void A_result_error_keeps_its_id_and_gets_its_category(string errorId, string category)
    {
        var result = new TenantMigrationResult
        {
            Tenant = new Tenant { Name = "acme" },
            StateAfter = TenantState.Failed,
            Error = new MigrationError { ErrorId = errorId, Message = "it broke" },
        };

        var error = TenantErrors.ForResult(result);

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(category, error.Category);
        Assert.Same(result, error.TargetObject);
        Assert.Equal("Tenant 'acme': it broke", error.Message);
        Assert.Equal(errorId, Assert.IsType<TenantMigrationException>(error.Exception).ErrorId);
    }

    [Fact]
    public void Every_category_name_is_a_PowerShell_ErrorCategory()
    {
        // System.Management.Automation.ErrorCategory names; the cmdlets parse these strings.
        string[] categories =
        [
            "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument", "InvalidData",
            "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented", "NotInstalled", "ObjectNotFound",
            "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied", "ResourceBusy", "ResourceExists",
            "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr", "SecurityError", "ProtocolError", "ConnectionError",
            "AuthenticationError", "LimitsExceeded", "QuotaExceeded", "NotEnabled",
        ];
        string[] ids =
        [
            ErrorIds.MigrationFailed, ErrorIds.TenantLocked, ErrorIds.ChecksumMismatch, ErrorIds.MissingMigration, ErrorIds.IncompleteMigration,
            ErrorIds.OutOfOrder, ErrorIds.TenantUnreachable, ErrorIds.InvalidMigration, ErrorIds.InvalidTenant, ErrorIds.Cancelled,
            CommandErrorIds.InvalidMigrationFolder, CommandErrorIds.InvalidTenantSource, CommandErrorIds.NoTenants, CommandErrorIds.DuplicateTenant,
            CommandErrorIds.MigrationFileExists, CommandErrorIds.ExportFailed,
        ];
        Assert.All(ids, id => Assert.Contains(CommandErrorIds.CategoryFor(id), categories));
    }
}
