using System.Reflection;
using System.Runtime.Loader;
using TenantMigrations.Loading;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>
/// The module's assembly isolation, exercised on the built layout: the engine and its dependencies load into the
/// module's own context, while the model stays the default context's so the cmdlets' output types are shared.
/// </summary>
public sealed class LoadContextTests
{
    private static readonly Lazy<DependencyLoadContext> Context = new(() => new DependencyLoadContext(ModuleLayout.Dependencies));

    [Fact]
    public void The_engine_and_its_dependencies_load_into_the_module_context()
    {
        var engine = ModuleAssemblyResolver.Resolve(new AssemblyName(DependencyLoadContext.EngineAssemblyName), Context);

        Assert.NotNull(engine);
        Assert.Same(Context.Value, AssemblyLoadContext.GetLoadContext(engine));
        Assert.StartsWith(ModuleLayout.Dependencies, engine.Location, StringComparison.Ordinal);
        var sqlite = Context.Value.LoadFromAssemblyName(new AssemblyName("Microsoft.Data.Sqlite"));
        Assert.Same(Context.Value, AssemblyLoadContext.GetLoadContext(sqlite));
        // The test process has its own Microsoft.Data.Sqlite in the default context: two copies side by side.
        Assert.NotSame(typeof(Microsoft.Data.Sqlite.SqliteConnection).Assembly, sqlite);
    }

    [Fact]
    public void The_model_is_shared_with_the_default_context()
    {
        var model = Context.Value.LoadFromAssemblyName(new AssemblyName("TenantMigrations.Model"));

        Assert.Same(typeof(Tenant).Assembly, model);
    }

    [Fact]
    public void The_isolated_engine_returns_model_objects_of_the_default_context_types()
    {
        var engine = ModuleAssemblyResolver.Resolve(new AssemblyName(DependencyLoadContext.EngineAssemblyName), Context)!;
        var sources = engine.GetType("TenantMigrations.Engine.Tenants.TenantSources", throwOnError: true)!;
        var fromRow = sources.GetMethod("FromRow")!;
        var row = new Dictionary<string, string?> { ["name"] = "acme", ["connectionString"] = "Data Source=acme.db" };

        var tenant = fromRow.Invoke(null, [row, "test", Path.GetTempPath()]);

        Assert.IsType<Tenant>(tenant);
        Assert.Equal("acme", ((Tenant)tenant).Name);
    }

    [Fact]
    public void SQLite_with_its_native_library_works_inside_the_module_context()
    {
        var sqlite = Context.Value.LoadFromAssemblyName(new AssemblyName("Microsoft.Data.Sqlite"));
        var connectionType = sqlite.GetType("Microsoft.Data.Sqlite.SqliteConnection", throwOnError: true)!;
        using var connection = (System.Data.Common.DbConnection)Activator.CreateInstance(connectionType, "Data Source=:memory:")!;
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";

        Assert.Matches(@"^3\.\d+", Convert.ToString(command.ExecuteScalar()));
    }

    [Fact]
    public void Only_the_engine_is_resolved_by_the_default_context_handler()
    {
        Assert.Null(ModuleAssemblyResolver.Resolve(new AssemblyName("Npgsql"), Context));
        Assert.Null(ModuleAssemblyResolver.Resolve(new AssemblyName("Newtonsoft.Json"), Context));
    }

    [Fact]
    public void Native_libraries_are_looked_up_under_runtimes_for_this_platform()
    {
        var candidates = DependencyLoadContext.NativeLibraryCandidates("/module/Dependencies", "e_sqlite3").ToList();

        Assert.Contains(candidates, c => c.Contains(Path.Combine("runtimes", $"{(OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux")}-"), StringComparison.Ordinal));
        Assert.Contains(candidates, c => File.Exists(c.Replace("/module/Dependencies", ModuleLayout.Dependencies, StringComparison.Ordinal)));
    }
}
