using System.Collections;
using System.Management.Automation;
using TenantMigrations.Engine.Hosting;
using TenantMigrations.Engine.Tenants;

namespace TenantMigrations.Commands;

/// <summary>
/// Lets -Tenant take tenants, objects that carry one (status, result), and property bags such as Import-Csv rows
/// or hashtables, converting each into a Tenant before PowerShell checks the parameter type.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class TenantTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var baseFolder = engineIntrinsics.SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        try
        {
            if (value is IList list and not IDictionary)
            {
                return list.Cast<object?>().Select(item => Convert(item, baseFolder)).ToArray();
            }
            return Convert(inputData, baseFolder);
        }
        catch (TenantSourceException ex)
        {
            throw new ArgumentTransformationMetadataException(ex.Message, ex);
        }
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
