namespace TenantMigrations.Engine.Journal;

/// <summary>
/// One copy of each text that a batched journal read meets again and again (descriptions, checksums, file names, who
/// applied, run ids): ten thousand tenants' journals then hold a few hundred distinct strings, not a million.
/// One instance per read, used by one thread.
/// </summary>
public sealed class SharedTexts
{
    private readonly Dictionary<string, string> texts = new(StringComparer.Ordinal);

    public string? Share(string? text)
    {
        if (text is null) return null;
        if (texts.TryGetValue(text, out var shared)) return shared;
        texts[text] = text;
        return text;
    }
}
