using System.Collections;
using System.Management.Automation;
using TenantMigrations.Engine.Commands;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Commands;

/// <summary>
/// Lets -Tenant take tenants, objects that carry one (status, result), and property bags such as Import-Csv rows
/// or hashtables, converting each into a Tenant before PowerShell checks the parameter type. Relative SQLite paths of
/// input without a tenants file resolve against the PowerShell location. Input that is not a tenant becomes a marked
/// tenant, which the command reports as that input's own InvalidTenant error (a transformation error would be a
/// generic binding error that names neither the input nor the problem).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TenantTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var baseFolder = engineIntrinsics.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is IList list and not IDictionary)
        {
            return list.Cast<object?>().Select(item => ConvertOrMark(item, baseFolder)).ToArray();
        }
        return ConvertOrMark(inputData, baseFolder);
    }

    private static Tenant ConvertOrMark(object? item, string baseFolder)
    {
        try
        {
            return Convert(item, baseFolder);
        }
        catch (TenantSourceException ex)
        {
            return TenantInput.Invalid(item, NameOf(item), ex.Message);
        }
    }

    private static string? NameOf(object? item)
    {
        if (item is null) return null;
        var wrapped = PSObject.AsPSObject(item);
        if (wrapped.BaseObject is IDictionary dictionary) return dictionary.Contains("Name") ? dictionary["Name"]?.ToString() : null;
        var name = wrapped.Properties["Name"];
        return name is null ? null : SafeValue(name)?.ToString();
    }

    private static Tenant Convert(object? item, string baseFolder)
    {
        if (item is PSObject wrapped && wrapped.BaseObject is PSCustomObject)
        {
            var properties = wrapped.Properties
                .Where(p => p.IsGettable && p.MemberType is PSMemberTypes.NoteProperty or PSMemberTypes.Property)
                .Select(p => new KeyValuePair<string, object?>(p.Name, SafeValue(p)))
                .ToList();
            return TenantInput.FromProperties(properties, baseFolder);
        }
        return TenantInput.FromObject(item is PSObject other ? other.BaseObject : item, baseFolder);
    }

    private static object? SafeValue(PSPropertyInfo property)
    {
        try
        {
            var value = property.Value;
            return value is PSObject wrapped ? wrapped.BaseObject : value;
        }
        catch (GetValueException)
        {
            return null;
        }
    }
}
