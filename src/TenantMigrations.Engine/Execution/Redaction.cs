namespace TenantMigrations.Engine.Execution;

/// <summary>Makes exception text safe to show: no password of the tenant, no password assignment.</summary>
public static class Redaction
{
    public static string MessageOf(Exception? exception, Tenant tenant)
    {
        if (exception is null) return "";
        var messages = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message)) messages.Add(e.Message);
        }
        return ConnectionStringRedactor.RedactText(string.Join(" ", messages), ConnectionStringRedactor.SecretsOf(tenant.GetConnectionString()));
    }

    public static string Text(string? text, Tenant tenant) =>
        ConnectionStringRedactor.RedactText(text, ConnectionStringRedactor.SecretsOf(tenant.GetConnectionString()));
}
