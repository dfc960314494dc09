using System.Reflection;
using System.Runtime.InteropServices;

namespace TenantMigrations.HelpGenerator;

public sealed record ParameterSetBinding(string SetName, bool Mandatory, int? Position, bool ValueFromPipeline, bool ValueFromPipelineByPropertyName);

/// <param name="DefaultValue">From [PSDefaultValue(Value = ...)] or its Help text; null when the cmdlet declares none.</param>
public sealed record CmdletParameter(string Name, string TypeName, bool IsSwitch, IReadOnlyList<string> Aliases, bool SupportsWildcards, IReadOnlyList<ParameterSetBinding> Sets, string? DefaultValue = null);

public sealed record CmdletInfo(
    string TypeName,
    string Verb,
    string Noun,
    string? DefaultParameterSetName,
    bool SupportsShouldProcess,
    string? ConfirmImpact,
    IReadOnlyList<string> OutputTypes,
    IReadOnlyList<CmdletParameter> Parameters,
    string? HelpUri = null)
{
    public const string AllParameterSets = "__AllParameterSets";

    public string Name => $"{Verb}-{Noun}";

    /// <summary>The named parameter sets, or the single implicit one.</summary>
    public IReadOnlyList<string> ParameterSetNames
    {
        get
        {
            var named = Parameters.SelectMany(p => p.Sets).Select(s => s.SetName).Where(n => n != AllParameterSets).Distinct().ToList();
            return named.Count == 0 ? [AllParameterSets] : named;
        }
    }

    public IEnumerable<(CmdletParameter Parameter, ParameterSetBinding Binding)> ParametersOf(string setName) =>
        Parameters.SelectMany(p => p.Sets.Where(s => s.SetName == setName || s.SetName == AllParameterSets).Take(1).Select(s => (p, s)));
}

/// <summary>Reads cmdlets from a compiled assembly without loading it for execution (MetadataLoadContext).</summary>
public static class CmdletMetadataReader
{
    public static IReadOnlyList<CmdletInfo> Read(string assemblyPath, IEnumerable<string> referencePaths)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(assemblyPath))!;
        var paths = Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Concat(Directory.GetFiles(folder, "*.dll"))
            .Concat(Directory.Exists(Path.Combine(folder, "Dependencies")) ? Directory.GetFiles(Path.Combine(folder, "Dependencies"), "*.dll") : [])
            .Concat(referencePaths)
            .GroupBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Last())
            .ToList();
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        var assembly = context.LoadFromAssemblyPath(Path.GetFullPath(assemblyPath));
        return assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract)
            .Select(t => (Type: t, Attribute: t.CustomAttributes.FirstOrDefault(a => a.AttributeType.FullName == "System.Management.Automation.CmdletAttribute")))
            .Where(x => x.Attribute is not null)
            .Select(x => ReadCmdlet(x.Type, x.Attribute!))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
    }

    private static CmdletInfo ReadCmdlet(Type type, CustomAttributeData cmdlet)
    {
        var outputTypes = type.CustomAttributes
            .Where(a => a.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => i.Value) : [arg.Value])
            .Select(v => v is Type t ? t.FullName ?? t.Name : Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "")
            .ToList();
        // Positional parameters first, by position; then the others, base class first, in declaration order
        // (reflection lists a derived class's properties before its base class's).
        var parameters = BaseFirst(type)
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(ReadParameter)
            .Where(p => p is not null)
            .Cast<CmdletParameter>()
            .OrderBy(p => p.Sets.Min(s => s.Position ?? int.MaxValue))
            .ToList();
        return new CmdletInfo(
            type.FullName!,
            (string)cmdlet.ConstructorArguments[0].Value!,
            (string)cmdlet.ConstructorArguments[1].Value!,
            Named<string>(cmdlet, "DefaultParameterSetName"),
            Named<bool>(cmdlet, "SupportsShouldProcess"),
            cmdlet.NamedArguments.Any(n => n.MemberName == "ConfirmImpact") ? Enum.GetName(typeof(ConfirmImpactNames), Named<int>(cmdlet, "ConfirmImpact")) : null,
            outputTypes,
            parameters,
            Named<string>(cmdlet, "HelpUri"));
    }

    private static List<Type> BaseFirst(Type type)
    {
        var chain = new List<Type>();
        for (var current = type; current is not null && current.FullName != "System.Management.Automation.PSCmdlet"; current = current.BaseType) chain.Add(current);
        chain.Reverse();
        return chain;
    }

    private static CmdletParameter? ReadParameter(PropertyInfo property)
    {
        var attributes = property.CustomAttributes.ToList();
        var sets = attributes
            .Where(a => a.AttributeType.FullName == "System.Management.Automation.ParameterAttribute")
            .Select(a => new ParameterSetBinding(
                Named<string>(a, "ParameterSetName") ?? CmdletInfo.AllParameterSets,
                Named<bool>(a, "Mandatory"),
                a.NamedArguments.Any(n => n.MemberName == "Position") ? Named<int>(a, "Position") : null,
                Named<bool>(a, "ValueFromPipeline"),
                Named<bool>(a, "ValueFromPipelineByPropertyName")))
            .ToList();
        if (sets.Count == 0) return null;
        var aliases = attributes
            .Where(a => a.AttributeType.FullName == "System.Management.Automation.AliasAttribute")
            .SelectMany(a => a.ConstructorArguments)
            .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => (string)i.Value!) : [(string)arg.Value!])
            .ToList();
        var typeName = DisplayName(property.PropertyType);
        var defaultValue = attributes
            .Where(a => a.AttributeType.FullName == "System.Management.Automation.PSDefaultValueAttribute")
            .Select(a => Named<string>(a, "Help") ?? Convert.ToString(a.NamedArguments.FirstOrDefault(n => n.MemberName == "Value").TypedValue.Value, System.Globalization.CultureInfo.InvariantCulture))
            .FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return new CmdletParameter(
            property.Name,
            typeName,
            typeName == "SwitchParameter",
            aliases,
            attributes.Any(a => a.AttributeType.FullName == "System.Management.Automation.SupportsWildcardsAttribute"),
            sets,
            defaultValue);
    }

    private static string DisplayName(Type type)
    {
        if (type.IsArray) return DisplayName(type.GetElementType()!) + "[]";
        if (type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1") return DisplayName(type.GetGenericArguments()[0]);
        return type.Name;
    }

    private static T? Named<T>(CustomAttributeData attribute, string name)
    {
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.MemberName == name) return (T?)argument.TypedValue.Value;
        }
        return default;
    }

    /// <summary>System.Management.Automation.ConfirmImpact values, by number.</summary>
    private enum ConfirmImpactNames { None, Low, Medium, High }
}
