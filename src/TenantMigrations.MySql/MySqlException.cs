using System.Data.Common;
using TenantMigrations.MySql.Protocol;

namespace TenantMigrations.MySql;

/// <summary>A server error (Number = MySQL error code, e.g. 1146) or a client-side failure (2xxx codes, as in libmysql).</summary>
public sealed class MySqlException : DbException
{
    public MySqlException(string message, int number, string? sqlState = null, Exception? innerException = null, bool? isTransient = null)
        : base(message, innerException)
    {
        Number = number;
        SqlState = sqlState;
        IsTransient = isTransient ?? IsTransientNumber(number);
    }

    /// <summary>The MySQL/MariaDB error number (server errors) or client error number (2002, 2013, …).</summary>
    public int Number { get; }

    /// <inheritdoc cref="Number"/>
    public override int ErrorCode => Number;

    public override string? SqlState { get; }

    public override bool IsTransient { get; }

    internal static bool IsTransientNumber(int number) => number is
        1040 // too many connections
        or 1053 // server shutdown in progress
        or 1927 // connection was killed (MariaDB)
        or 1205 // lock wait timeout
        or 1213 // deadlock
        or ClientErrorCodes.UnableToConnect
        or ClientErrorCodes.ServerGone
        or ClientErrorCodes.LostConnection;

    internal static MySqlException Protocol(string message) => new("Protocol error: " + message, ClientErrorCodes.MalformedPacket);

    internal static MySqlException LostConnection(Exception inner) =>
        new("Lost connection to the MySQL server: " + inner.Message, ClientErrorCodes.LostConnection, null, inner, isTransient: true);
}
