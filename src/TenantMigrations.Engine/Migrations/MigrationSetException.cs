namespace TenantMigrations.Engine.Migrations;

/// <summary>The migrations folder (or one file in it) is invalid; nothing runs for anyone.</summary>
public sealed class MigrationSetException : Exception
{
    public MigrationSetException(string path, string problem)
        : base($"{path}: {problem}")
    {
        FilePath = path;
        Problem = problem;
    }

    public MigrationSetException(IReadOnlyList<MigrationSetException> problems)
        : base(string.Join(Environment.NewLine, problems.Select(p => p.Message)))
    {
        FilePath = problems[0].FilePath;
        Problem = problems[0].Problem;
        Problems = problems;
    }

    public string FilePath { get; }

    public string Problem { get; }

    public IReadOnlyList<MigrationSetException> Problems { get; } = [];
}
