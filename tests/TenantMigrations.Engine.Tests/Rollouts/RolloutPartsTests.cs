using TenantMigrations.Engine.Migrations;
using TenantMigrations.Engine.Rollouts;
using TenantMigrations.TestSupport;

namespace TenantMigrations.Engine.Tests.Rollouts;

/// <summary>The pieces of a rollout that need no database: durations, hashes, partitions, wave definitions, verify files.</summary>
public sealed class RolloutPartsTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static List<Tenant> Named(int count) => Enumerable.Range(1, count).Select(i => new Tenant { Name = $"tenant-{i:000}" }).ToList();

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("2h45m", 9900)]
    [InlineData("1d", 86400)]
    [InlineData("1h0m30s", 3630)]
    [InlineData("45", 45)]
    public void Durations_are_written_as_people_write_them(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.Parse(text, "--max-duration"));

    [Theory]
    [InlineData("")]
    [InlineData("ten minutes")]
    [InlineData("5x")]
    [InlineData("-3m")]
    public void A_bad_duration_names_the_option(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => DurationText.Parse(text, "--wave-delay"));
        Assert.Contains("--wave-delay", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_percentage_pick_is_stable_whatever_the_input_order_and_case()
    {
        var tenants = Named(200);
        var waves = WaveDefinition.Parse("10%,rest");
        var first = WavePlan.Assign(tenants, waves, out _)[0].Tenants.Select(t => t.Name).Order().ToList();
        var shuffled = tenants.OrderBy(t => t.Name.GetHashCode(StringComparison.Ordinal)).Reverse().Select(t => new Tenant { Name = t.Name.ToUpperInvariant() }).ToList();
        var second = WavePlan.Assign(shuffled, waves, out var left)[0].Tenants.Select(t => t.Name.ToLowerInvariant()).Order().ToList();

        Assert.Equal(20, first.Count);
        Assert.Equal(first, second);
        Assert.Empty(left);
        // The pick is the 20 lowest hashes: a spread over the fleet, not the first 20 names.
        Assert.NotEqual(tenants.Take(20).Select(t => t.Name), first);
        Assert.Equal(tenants.OrderBy(t => StableHash.Of(t.Name)).Take(20).Select(t => t.Name).Order(), first);
    }

    [Fact]
    public void A_percentage_takes_a_share_of_the_tenants_the_earlier_waves_left()
    {
        var tenants = Named(21);
        tenants[0].Tags = ["canary"];
        var plan = WavePlan.Assign(tenants, WaveDefinition.Parse("canary,25%,rest"), out _);

        Assert.Equal([1, 5, 15], plan.Select(w => w.Tenants.Count));
        Assert.Equal(21, plan.SelectMany(w => w.Tenants).Distinct().Count());
    }

    [Fact]
    public void Partitions_cover_every_tenant_exactly_once()
    {
        var tenants = Named(500);
        var shares = Enumerable.Range(1, 3).Select(i => new RolloutOptions { Partition = new TenantPartition(i, 3) }.Select(tenants)).ToList();

        Assert.Equal(500, shares.Sum(s => s.Count));
        Assert.Equal(500, shares.SelectMany(s => s).Select(t => t.Name).Distinct().Count());
        Assert.All(shares, s => Assert.InRange(s.Count, 120, 215));
    }

    [Fact]
    public void The_partition_comes_from_the_option_or_from_the_kubernetes_index()
    {
        Dictionary<string, string?> environment = new() { ["JOB_COMPLETION_INDEX"] = "2", ["TENANTMIGRATIONS_PARTITION_COUNT"] = "3" };
        string? Read(string name) => environment.GetValueOrDefault(name);

        Assert.Equal(new TenantPartition(2, 4), TenantPartition.Resolve("2/4", null, Read));
        Assert.Equal(new TenantPartition(3, 3), TenantPartition.Resolve(null, null, Read));
        Assert.Equal(new TenantPartition(3, 5), TenantPartition.Resolve(null, 5, Read));
        Assert.Null(TenantPartition.Resolve(null, null, _ => null));
        Assert.Contains("--partition-count", Assert.Throws<ArgumentException>(() => TenantPartition.Resolve(null, null, name => name == "JOB_COMPLETION_INDEX" ? "0" : null)).Message, StringComparison.Ordinal);
        Assert.Contains("--partition '4/3'", Assert.Throws<ArgumentException>(() => TenantPartition.Resolve("4/3", null, Read)).Message, StringComparison.Ordinal);
        Assert.Contains("not below", Assert.Throws<ArgumentException>(() => TenantPartition.Resolve(null, 2, Read)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_breaker_trips_above_the_allowance_and_counts_the_rate_after_twenty()
    {
        var byCount = new CircuitBreaker(2, null);
        Assert.False(byCount.Record(failed: true));
        Assert.False(byCount.Record(failed: true));
        Assert.True(byCount.Record(failed: true));

        var byRate = new CircuitBreaker(null, 10);
        for (var i = 0; i < 5; i++) Assert.False(byRate.Record(failed: true));
        for (var i = 0; i < 14; i++) Assert.False(byRate.Record(failed: false));
        Assert.True(byRate.Record(failed: false));
    }

    [Fact]
    public void Waves_in_the_settings_file_are_checked_naming_the_file()
    {
        folder.Write("migrations/V1__a.sql", "SELECT 1;");
        folder.Write("migrations/tenantmigrations.json", """{ "waves": [ {"name": "rest"}, {"name": "canary", "tags": ["canary"]} ] }""");
        var error = Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Combine("migrations")));
        Assert.Contains("tenantmigrations.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("must be the last wave", error.Message, StringComparison.Ordinal);

        folder.Write("migrations/tenantmigrations.json", """{ "waves": [ {"name": "early", "percent": 150} ] }""");
        Assert.Contains("\"percent\"", Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Combine("migrations"))).Message, StringComparison.Ordinal);

        folder.Write("migrations/tenantmigrations.json", """{ "waves": [ {"name": "canary", "tags": ["canary"], "maxFailures": 1, "verify": false}, {"name": "rest", "maxFailureRate": 5} ] }""");
        var waves = MigrationSet.Load(folder.Combine("migrations")).Settings.Waves;
        Assert.Equal(1, waves[0].MaxFailures);
        Assert.False(waves[0].Verify);
        Assert.Equal(5, waves[1].MaxFailureRate);
        Assert.True(waves[1].TakesRest);
    }

    [Fact]
    public void A_verify_script_belongs_to_its_version_and_one_without_its_version_is_a_load_error()
    {
        folder.Write("migrations/V1__a.sql", "CREATE TABLE a (id INTEGER);");
        folder.Write("migrations/V1__a.verify.sql", "SELECT 1 FROM a;");
        folder.Write("migrations/V1__a.verify.postgres.sql", "SELECT 1 FROM a LIMIT 1;");
        var set = MigrationSet.Load(folder.Combine("migrations"));
        Assert.Single(set.Versioned);
        var verify = Assert.Single(set.Verify);
        Assert.Equal(MigrationKind.Verify, verify.Kind);
        Assert.Equal("V1__a.verify.postgres.sql", verify.FileFor(DatabaseEngine.Postgres)!.FileName);
        Assert.Equal("V1__a.verify.sql", set.FindVerify(MigrationVersion.Parse("1"))!.FileFor(DatabaseEngine.Sqlite)!.FileName);

        var orphan = folder.Write("migrations/V2__b.verify.sql", "SELECT 1;");
        var error = Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Combine("migrations")));
        Assert.Contains("V2__b.verify.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("no versioned migration V2", error.Message, StringComparison.Ordinal);
        File.Delete(orphan);

        folder.Write("migrations/U1__a.verify.sql", "SELECT 1;");
        Assert.Contains("only a versioned migration has a verify script", Assert.Throws<MigrationSetException>(() => MigrationSet.Load(folder.Combine("migrations"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_per_server_key_is_host_and_port()
    {
        Assert.Equal("db1:5432", ServerThrottle.ServerOf(new Tenant { Engine = DatabaseEngine.Postgres, ConnectionString = "Host=db1;Username=u;Password=p" }));
        Assert.Equal("db2:3307", ServerThrottle.ServerOf(new Tenant { Engine = DatabaseEngine.MySql, ConnectionString = "Server=db2;Port=3307;User ID=u" }));
        Assert.Null(ServerThrottle.ServerOf(new Tenant { Engine = DatabaseEngine.Sqlite, ConnectionString = "Data Source=a.db" }));
        var a = new Tenant { Name = "a1", Engine = DatabaseEngine.Postgres, ConnectionString = "Host=a" };
        var a2 = new Tenant { Name = "a2", Engine = DatabaseEngine.Postgres, ConnectionString = "Host=a" };
        var b = new Tenant { Name = "b1", Engine = DatabaseEngine.Postgres, ConnectionString = "Host=b" };
        Assert.Equal(["a1", "b1", "a2"], ServerThrottle.Interleave([a, a2, b]).Select(t => t.Name));
    }
}
