using System.Collections;
using System.Data.Common;

namespace TenantMigrations.MySql;

public sealed class MySqlParameterCollection : DbParameterCollection
{
    readonly List<MySqlParameter> _parameters = [];

    public override int Count => _parameters.Count;
    public override object SyncRoot => ((ICollection)_parameters).SyncRoot;

    public new MySqlParameter this[int index]
    {
        get => _parameters[index];
        set => _parameters[index] = value;
    }

    public new MySqlParameter this[string parameterName]
    {
        get => (MySqlParameter)GetParameter(parameterName);
        set => SetParameter(parameterName, value);
    }

    public MySqlParameter Add(MySqlParameter parameter)
    {
        _parameters.Add(parameter);
        return parameter;
    }

    public MySqlParameter AddWithValue(string parameterName, object? value) => Add(new MySqlParameter(parameterName, value));

    public override int Add(object value)
    {
        _parameters.Add(Cast(value));
        return _parameters.Count - 1;
    }

    public override void AddRange(Array values)
    {
        foreach (var value in values) Add(value!);
    }

    public override void Clear() => _parameters.Clear();
    public override bool Contains(object value) => value is MySqlParameter parameter && _parameters.Contains(parameter);
    public override bool Contains(string value) => IndexOf(value) >= 0;
    public override void CopyTo(Array array, int index) => ((ICollection)_parameters).CopyTo(array, index);
    public override IEnumerator GetEnumerator() => _parameters.GetEnumerator();
    public override int IndexOf(object value) => value is MySqlParameter parameter ? _parameters.IndexOf(parameter) : -1;

    public override int IndexOf(string parameterName)
    {
        var name = MySqlParameter.NormalizeName(parameterName);
        return _parameters.FindIndex(p => string.Equals(p.NormalizedName, name, StringComparison.OrdinalIgnoreCase));
    }

    public override void Insert(int index, object value) => _parameters.Insert(index, Cast(value));
    public override void Remove(object value) => _parameters.Remove(Cast(value));
    public override void RemoveAt(int index) => _parameters.RemoveAt(index);

    public override void RemoveAt(string parameterName)
    {
        var index = IndexOf(parameterName);
        if (index >= 0) _parameters.RemoveAt(index);
    }

    protected override DbParameter GetParameter(int index) => _parameters[index];

    protected override DbParameter GetParameter(string parameterName)
    {
        var index = IndexOf(parameterName);
        return index >= 0 ? _parameters[index] : throw new ArgumentException($"Parameter '{parameterName}' not found.", nameof(parameterName));
    }

    protected override void SetParameter(int index, DbParameter value) => _parameters[index] = Cast(value);

    protected override void SetParameter(string parameterName, DbParameter value)
    {
        var index = IndexOf(parameterName);
        if (index >= 0) _parameters[index] = Cast(value);
        else _parameters.Add(Cast(value));
    }

    internal MySqlParameter? Find(string normalizedName)
    {
        foreach (var parameter in _parameters)
            if (string.Equals(parameter.NormalizedName, normalizedName, StringComparison.OrdinalIgnoreCase))
                return parameter;
        return null;
    }

    static MySqlParameter Cast(object value) =>
        value as MySqlParameter ?? throw new InvalidCastException($"Expected a MySqlParameter, got {value?.GetType().Name ?? "null"}.");
}
