using System.Globalization;
using System.Text;

namespace TenantMigrations.Engine.Tenants;

/// <summary>The rules every tenant name obeys, whatever source it comes from: no control characters, at most 200 characters.</summary>
public static class TenantNames
{
    public const int MaxLength = 200;

    /// <summary>Returns the name, or throws a TenantSourceException naming the source and showing the name safely.</summary>
    public static string Require(string name, string source)
    {
        if (name.Any(char.IsControl))
        {
            throw new TenantSourceException(source, $"the tenant name '{Printable(name)}' holds a control character; names must be printable.");
        }
        if (name.Length > MaxLength)
        {
            throw new TenantSourceException(source, $"the tenant name '{Printable(name)}' has {name.Length} characters; the limit is {MaxLength}.");
        }
        return name;
    }

    /// <summary>The name with control characters written as \uXXXX and cut to 60 characters, for messages.</summary>
    public static string Printable(string name)
    {
        var text = new StringBuilder();
        foreach (var c in name.Length > 60 ? name[..60] : name)
        {
            if (char.IsControl(c)) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else text.Append(c);
        }
        return name.Length > 60 ? text.Append("...").ToString() : text.ToString();
    }
}
