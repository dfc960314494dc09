using System.Text.Json.Nodes;

namespace TenantMigrations.Cli;

/// <summary>
/// The pieces the --json lines are built of. The lines are JsonObjects, which Native AOT can write, not anonymous types,
/// which it cannot reflect over. Enum values go in as their names (ToString()), the text JsonStringEnumConverter wrote.
/// </summary>
internal static class JsonLines
{
    /// <summary>The {"type":"error"} line of a failure that ends the command.</summary>
    public static JsonObject Error(string errorId, string message, int exitCode) => new()
    {
        ["type"] = "error",
        ["errorId"] = errorId,
        ["message"] = message,
        ["exitCode"] = exitCode,
    };

    public static JsonArray Strings(IEnumerable<string> values) => Array(values, value => value);

    public static JsonArray Array<T>(IEnumerable<T> items, Func<T, JsonNode?> toJson) => new(items.Select(toJson).ToArray());
}
