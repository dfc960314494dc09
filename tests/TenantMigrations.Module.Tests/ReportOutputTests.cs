using System.Text.RegularExpressions;
using System.Xml.Linq;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>What report scripts get from the output types: readable connection strings, states as strings, joined arrays.</summary>
public sealed partial class ReportOutputTests
{
    private static readonly XDocument Types = XDocument.Load(Path.Combine(ModuleLayout.Folder, "TenantMigrations.Types.ps1xml"));

    [Fact]
    public void Connection_string_keys_are_displayed_as_given_with_passwords_masked()
    {
        var tenant = new Tenant { Engine = DatabaseEngine.Postgres, ConnectionString = "Host=db.example.com;Database=App;Username=migrator;Password=\"s3cr;et\";SSL Mode=Require" };

        Assert.Equal("Host=db.example.com;Database=App;Username=migrator;Password=***;SSL Mode=Require", tenant.ConnectionString);
        Assert.Equal("Data Source=/srv/t1.db", new Tenant { ConnectionString = "Data Source=/srv/t1.db" }.ConnectionString);
    }

    [Fact]
    public void A_credential_keeps_the_other_keys_as_given()
    {
        var tenant = new Tenant { Engine = DatabaseEngine.MySql, ConnectionString = "Server=db;Database=Shop;uid=old;pwd=old-secret" }.WithCredential("migrator", "n3w;secret");

        Assert.Equal("Server=db;Database=Shop;User ID=migrator;Password=***", tenant.ConnectionString);
        var real = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = tenant.GetConnectionString() };
        Assert.Equal("n3w;secret", real["password"]);
        Assert.False(real.ContainsKey("uid"));
    }

    public static TheoryData<Type> OutputTypes() =>
        new(typeof(Tenant), typeof(TenantMigrationStatus), typeof(TenantMigrationResult), typeof(TenantMigrationScript), typeof(TenantMigrationTestResult), typeof(TenantRepairResult), typeof(TenantVersionCohort));

    [Theory]
    [MemberData(nameof(OutputTypes))]
    public void Every_state_and_engine_has_a_string_copy_for_ConvertTo_Json(Type type)
    {
        var members = ScriptProperties(type);
        foreach (var property in type.GetProperties().Where(p => p.PropertyType.IsEnum))
        {
            Assert.True(members.TryGetValue(property.Name + "Name", out var script), $"{type.Name}.{property.Name}Name is missing.");
            Assert.Equal($"[string]$this.{property.Name}", script);
        }
    }

    [Theory]
    [MemberData(nameof(OutputTypes))]
    public void Every_version_and_problem_array_is_also_joined_for_Export_Csv(Type type)
    {
        var members = ScriptProperties(type);
        var joinedArrays = members.Values.SelectMany(script => ThisProperty().Matches(script).Select(m => m.Groups["name"].Value)).ToHashSet();
        var arrays = type.GetProperties().Where(p => p.PropertyType.IsArray && p.Name != nameof(Tenant.Tags));
        Assert.All(arrays, a => Assert.Contains(a.Name, joinedArrays));
        foreach (var referenced in joinedArrays) Assert.NotNull(type.GetProperty(referenced));
    }

    [Fact]
    public void Pending_versions_are_joined_with_commas()
    {
        Assert.Equal("$this.Pending -join ','", ScriptProperties(typeof(TenantMigrationStatus))["PendingVersions"]);
        Assert.Contains("$this.Applied", ScriptProperties(typeof(TenantMigrationResult))["AppliedVersions"], StringComparison.Ordinal);
        Assert.Contains("$this.Planned", ScriptProperties(typeof(TenantMigrationResult))["PlannedVersions"], StringComparison.Ordinal);
    }

    private static Dictionary<string, string> ScriptProperties(Type type) =>
        Types.Root!.Elements("Type").Single(t => t.Element("Name")!.Value == type.FullName)
            .Element("Members")!.Elements("ScriptProperty")
            .ToDictionary(p => p.Element("Name")!.Value, p => p.Element("GetScriptBlock")!.Value);

    [GeneratedRegex(@"\$this\.(?<name>[A-Za-z]+)")]
    private static partial Regex ThisProperty();
}
