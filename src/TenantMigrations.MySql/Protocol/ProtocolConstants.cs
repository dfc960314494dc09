namespace TenantMigrations.MySql.Protocol;

[Flags]
internal enum CapabilityFlags : uint
{
    LongPassword = 1,
    FoundRows = 1 << 1,
    LongFlag = 1 << 2,
    ConnectWithDb = 1 << 3,
    LocalFiles = 1 << 7,
    Protocol41 = 1 << 9,
    Interactive = 1 << 10,
    Ssl = 1 << 11,
    Transactions = 1 << 13,
    SecureConnection = 1 << 15,
    MultiStatements = 1 << 16,
    MultiResults = 1 << 17,
    PluginAuth = 1 << 19,
    ConnectAttributes = 1 << 20,
    PluginAuthLengthEncodedClientData = 1 << 21,
    SessionTrack = 1 << 23,
    DeprecateEof = 1 << 24,
}

[Flags]
internal enum ServerStatusFlags : ushort
{
    InTransaction = 1,
    AutoCommit = 2,
    MoreResultsExist = 8,
    NoBackslashEscapes = 0x200,
}

internal enum CommandKind : byte
{
    Quit = 0x01,
    InitDb = 0x02,
    Query = 0x03,
    Ping = 0x0E,
}

internal enum ColumnType : byte
{
    Decimal = 0, Tiny = 1, Short = 2, Long = 3, Float = 4, Double = 5, Null = 6, Timestamp = 7, LongLong = 8, Int24 = 9,
    Date = 10, Time = 11, DateTime = 12, Year = 13, NewDate = 14, VarChar = 15, Bit = 16,
    Json = 245, NewDecimal = 246, Enum = 247, Set = 248, TinyBlob = 249, MediumBlob = 250, LongBlob = 251, Blob = 252,
    VarString = 253, String = 254, Geometry = 255,
}

[Flags]
internal enum ColumnFlags : ushort
{
    NotNull = 1,
    Unsigned = 32,
    Binary = 128,
    Enum = 256,
    Set = 2048,
}

internal static class ClientErrorCodes
{
    public const int UnableToConnect = 2002;
    public const int ServerGone = 2006;
    public const int LostConnection = 2013;
    public const int SslConnectionError = 2026;
    public const int MalformedPacket = 2027;
    public const int AuthPluginUnsupported = 2059;
    public const int QueryInterrupted = 1317;
    public const int CommandTimeout = 3024;
}
