using System.Text.RegularExpressions;
using TenantMigrations.Module.Tests.Support;

namespace TenantMigrations.Module.Tests;

/// <summary>
/// Pester cannot run here, so the Pester 5 rules that broke the file once are checked on its text: -ErrorId is
/// matched with -like against the whole FullyQualifiedErrorId, and Discovery runs only the block structure.
/// </summary>
public sealed partial class PesterFileTests
{
    private static readonly string[] Lines = File.ReadAllLines(Path.Combine(ModuleLayout.RepoRoot, "tests", "TenantMigrations.Tests.ps1"));

    [Fact]
    public void Every_ErrorId_pattern_matches_a_whole_FullyQualifiedErrorId()
    {
        var patterns = Lines.SelectMany(l => ErrorIdArgument().Matches(l)).Select(m => m.Groups["pattern"].Value).ToList();

        Assert.NotEmpty(patterns);
        Assert.All(patterns, p => Assert.Matches(@"^[A-Za-z]+,\*$", p));
    }

    [Fact]
    public void Only_blocks_and_their_setup_run_at_the_top_level()
    {
        var topLevel = Lines.Where(l => l.Length > 0 && !char.IsWhiteSpace(l[0]) && !l.StartsWith('#') && l != "}" && l != ")");

        Assert.All(topLevel, l => Assert.Matches(@"^(BeforeAll|AfterAll|Describe) ", l));
    }

    [GeneratedRegex(@"-ErrorId\s+'(?<pattern>[^']*)'")]
    private static partial Regex ErrorIdArgument();
}
