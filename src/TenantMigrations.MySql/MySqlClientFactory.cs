using System.Data.Common;

namespace TenantMigrations.MySql;

public sealed class MySqlClientFactory : DbProviderFactory
{
    public static readonly MySqlClientFactory Instance = new();

    MySqlClientFactory() { }

    public override DbConnection CreateConnection() => new MySqlConnection();
    public override DbCommand CreateCommand() => new MySqlCommand();
    public override DbParameter CreateParameter() => new MySqlParameter();
    public override DbConnectionStringBuilder CreateConnectionStringBuilder() => new MySqlConnectionStringBuilder();
    public override bool CanCreateDataSourceEnumerator => false;
}
