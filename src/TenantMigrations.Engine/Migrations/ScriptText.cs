using System.Text;

namespace TenantMigrations.Engine.Migrations;

/// <summary>Decodes a migration file: UTF-8 only, and plain text only, because control bytes break sessions and splitters.</summary>
internal static class ScriptText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The file's text, BOM removed and line endings normalized; throws naming the file (and line) when it is not plain UTF-8.</summary>
    public static string Decode(string path, byte[] bytes)
    {
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..]) throw new MigrationSetException(path, "the file is UTF-16 (it starts with a UTF-16 byte order mark): save it as UTF-8.");
        var nulBytes = bytes.Count(b => b == 0);
        if (nulBytes > 0 && nulBytes * 4 >= bytes.Length) throw new MigrationSetException(path, "the file looks like UTF-16 (a large share of its bytes are NUL): save it as UTF-8.");
        string content;
        try
        {
            content = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MigrationSetException(path, "the file is not valid UTF-8: save it as UTF-8.");
        }
        content = MigrationSet.NormalizeText(content);
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (c is '\t' or '\n' || c > '\u001F' && c != '\u007F') continue;
            var line = content.AsSpan(0, i).Count('\n') + 1;
            throw new MigrationSetException(path, $"line {line} holds the control character U+{(int)c:X4}: a migration file must be plain text. Remove it, or produce the character with a SQL function.");
        }
        return content;
    }
}
