using System.Data.Common;
using System.Net.Sockets;

namespace TenantMigrations.MySql;

/// <summary>
/// The single seam between TenantMigrations and a MySQL client library. The engine only creates connections and
/// classifies errors through here, so switching to MySqlConnector later means changing these two methods.
/// </summary>
public static class MySqlDriver
{
    public static DbConnection CreateConnection(string connectionString) => new MySqlConnection(connectionString);

    /// <summary>True for failures worth retrying: lost/refused connections, too many connections, lock wait timeout, deadlock.</summary>
    public static bool IsTransient(Exception ex) => ex switch
    {
        MySqlException mysql => mysql.IsTransient,
        SocketException => true,
        IOException { InnerException: SocketException } => true,
        _ => ex.InnerException is not null && IsTransient(ex.InnerException),
    };
}
