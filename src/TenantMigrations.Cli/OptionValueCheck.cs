using System.CommandLine;
using System.CommandLine.Parsing;

namespace TenantMigrations.Cli;

/// <summary>
/// Checks the parsed tokens before any command runs: every option that takes a value is followed by one, and no
/// value starts with '-'. Options such as --sqlite take several values per token, so without this check a typo
/// like --dryrun would silently become one more glob and the real migration would run.
/// </summary>
public static class OptionValueCheck
{
    public static IReadOnlyList<string> Problems(ParseResult parseResult)
    {
        var problems = new List<string>();
        var tokens = parseResult.Tokens;
        var afterDoubleDash = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Type == TokenType.DoubleDash)
            {
                afterDoubleDash = true;
            }
            else if (token.Type == TokenType.Option && OptionNamed(parseResult, token.Value) is { } option && TakesValue(option))
            {
                var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
                if (next is null || next.Type != TokenType.Argument)
                {
                    problems.Add($"option '{token.Value}' needs a value{(next is null ? "" : $" before '{next.Value}'")}.");
                }
                else if (next.Value.Length == 0)
                {
                    problems.Add($"option '{token.Value}' has an empty value.");
                }
            }
            else if (token.Type == TokenType.Argument && !afterDoubleDash && LooksLikeOption(token.Value))
            {
                var owner = OwnerOf(parseResult, token);
                if (owner is OptionResult { Option: var valueOption } && IsNumeric(valueOption) && IsNegativeNumber(token.Value)) continue;
                problems.Add(DescribeOptionLikeValue(parseResult, token.Value, owner));
            }
        }
        return problems.Distinct().ToList();
    }

    private static Option? OptionNamed(ParseResult parseResult, string name)
    {
        for (SymbolResult? command = parseResult.CommandResult; command is CommandResult commandResult; command = command.Parent)
        {
            var option = commandResult.Command.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name));
            if (option is not null) return option;
        }
        return null;
    }

    private static bool TakesValue(Option option) =>
        option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);

    private static bool LooksLikeOption(string value) => value.StartsWith('-');

    private static bool IsNumeric(Option option) =>
        option.ValueType == typeof(int) || option.ValueType == typeof(double) || option.ValueType == typeof(double?) || option.ValueType == typeof(int?);

    private static bool IsNegativeNumber(string value) => value.Length > 1 && (char.IsAsciiDigit(value[1]) || value[1] == '.');

    private static SymbolResult? OwnerOf(ParseResult parseResult, Token token)
    {
        for (SymbolResult? command = parseResult.CommandResult; command is CommandResult commandResult; command = command.Parent)
        {
            foreach (var child in commandResult.Children)
            {
                if (child.Tokens.Any(t => ReferenceEquals(t, token))) return child;
            }
        }
        return null;
    }

    private static string DescribeOptionLikeValue(ParseResult parseResult, string value, SymbolResult? owner)
    {
        var suggestion = SimilarOption(parseResult.CommandResult.Command, value);
        if (owner is OptionResult exact && suggestion == value)
        {
            return $"option '{NameOf(exact)}' needs a value before '{value}'.";
        }
        var taker = owner switch
        {
            OptionResult o => $"as a value of option '{NameOf(o)}'",
            ArgumentResult a => $"as the <{a.Argument.Name}> argument",
            _ => "as a value",
        };
        var hint = suggestion is null ? "it is not an option of this command." : $"did you mean '{suggestion}'?";
        return $"'{value}' looks like an option but would be taken {taker}: {hint} " +
               "A value never starts with '-' (write ./-name for a file or folder whose name starts with '-', or put it after '--').";
    }

    private static string NameOf(OptionResult result) => result.IdentifierToken?.Value ?? result.Option.Name;

    /// <summary>An option of the command that differs only in dashes and case (--dryrun for --dry-run).</summary>
    private static string? SimilarOption(Command command, string value)
    {
        var wanted = Normalize(value.Split('=', 2)[0]);
        return command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).FirstOrDefault(name => Normalize(name) == wanted);
    }

    private static string Normalize(string name) => name.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
