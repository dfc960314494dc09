using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using TenantMigrations.Engine.Migrations;

namespace TenantMigrations.Engine.Tests;

/// <summary>
/// The corpus of real-world-style migration files under Corpus/&lt;engine&gt;, and what the corpus tests share:
/// running files through an engine's own client, and reading catalogs and tables as sorted text to compare.
/// </summary>
internal static class SplitterCorpus
{
    public static string Folder(string engine) => Path.Combine(AppContext.BaseDirectory, "Corpus", engine);

    public static TheoryData<string> Files(string engine)
    {
        var files = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Folder(engine), "*.sql").Order(StringComparer.Ordinal)) files.Add(Path.GetFileName(path));
        return files;
    }

    /// <summary>The file's text as the loader reads it, which also proves that the loader accepts the file.</summary>
    public static string Content(string engine, string file) => MigrationSet.ReadScript(Path.Combine(Folder(engine), file)).Content;

    /// <summary>
    /// Runs each statement on its own, as a one-command batch like the engine sends them, so the driver never
    /// re-splits a statement; a failure names the statement.
    /// </summary>
    public static async Task ExecuteEachAsync(DbConnection connection, IEnumerable<string> statements)
    {
        foreach (var statement in statements)
        {
            try
            {
                if (connection.CanCreateBatch)
                {
                    await using var batch = connection.CreateBatch();
                    var command = batch.CreateBatchCommand();
                    command.CommandText = statement;
                    batch.BatchCommands.Add(command);
                    if (connection is Npgsql.NpgsqlConnection) command.Parameters.Add(RawModeParameter());
                    await batch.ExecuteNonQueryAsync();
                }
                else
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = statement;
                    await command.ExecuteNonQueryAsync();
                }
            }
            catch (DbException ex)
            {
                Assert.Fail($"the split statement failed: {ex.Message}\n{statement}");
            }
        }
    }

    /// <summary>
    /// Npgsql re-splits a command at every semicolon it sees, and it does not know BEGIN ATOMIC bodies
    /// (npgsql/npgsql#4445). One unnamed parameter puts the command in raw mode, which sends the text untouched.
    /// </summary>
    private static Npgsql.NpgsqlParameter RawModeParameter() => new() { Value = 0 };

    /// <summary>The two descriptions hold the same lines; a failure lists the lines each one lacks.</summary>
    public static void AssertSameDescription(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        var missing = expected.Except(actual).ToList();
        var extra = actual.Except(expected).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"only from the whole file:\n{string.Join('\n', missing)}\nonly from the split statements:\n{string.Join('\n', extra)}");
        Assert.Equal(expected, actual);
    }

    /// <summary>Every row of a query as "a | b | c", sorted, so two databases compare with one Assert.Equal.</summary>
    public static async Task<List<string>> RowsAsync(DbConnection connection, string sql, Func<string, string>? normalize = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = Enumerable.Range(0, reader.FieldCount)
                .Select(i => reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "");
            var row = string.Join(" | ", values);
            rows.Add(normalize is null ? row : normalize(row));
        }
        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>Runs a client with the file on standard input; fails with its output when it reports an error.</summary>
    public static async Task RunClientAsync(string fileName, IEnumerable<string> arguments, string inputFile, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(inputFile));
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        var stderr = await error;
        Assert.True(process.ExitCode == 0 && stderr.Trim().Length == 0, $"{fileName} < {Path.GetFileName(inputFile)} failed ({process.ExitCode}): {stderr}{await output}");
    }
}
