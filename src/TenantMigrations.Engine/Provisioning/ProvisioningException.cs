namespace TenantMigrations.Engine.Provisioning;

/// <summary>
/// A tenant could not be created: the connection lacks the privilege (<see cref="ErrorIds.CreateDenied"/>) or the
/// template cannot be copied (<see cref="ErrorIds.TemplateUnusable"/>). The message names the tenant or template.
/// </summary>
public sealed class ProvisioningException(string errorId, string message, Exception? inner = null) : Exception(message, inner)
{
    public string ErrorId { get; } = errorId;
}
