using System.Globalization;
using System.Management.Automation;
using TenantMigrations.Engine.Rollouts;

namespace TenantMigrations.Commands;

/// <summary>
/// Lets a TimeSpan parameter take a duration as the command line writes it ('90s', '10m', '2h45m'), a number of
/// seconds, or anything PowerShell already converts to a TimeSpan ('02:45:00', New-TimeSpan).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class DurationTransformationAttribute(string parameterName) : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case TimeSpan span:
                return span;
            case int or long or double:
                return TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var parsed) && text.Contains(':', StringComparison.Ordinal):
                return parsed;
            case string text:
                try
                {
                    return DurationText.Parse(text, "-" + parameterName);
                }
                catch (ArgumentException ex)
                {
                    throw new ArgumentTransformationMetadataException(ex.Message, ex);
                }
            default:
                return inputData;
        }
    }
}
