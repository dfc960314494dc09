using System.Diagnostics.CodeAnalysis;

// Decisions on analyzer rules that the MySQL client breaks on purpose, each for a reason the rule cannot see.
[assembly: SuppressMessage("Reliability", "CA2012:Use ValueTasks correctly", Scope = "namespaceanddescendants", Target = "~N:TenantMigrations.MySql",
    Justification = "The synchronous ADO.NET methods run the shared async core with isAsync=false, whose ValueTask has completed by construction before it is read.")]
[assembly: SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Scope = "type", Target = "~T:TenantMigrations.MySql.Protocol.AuthenticationScrambles",
    Justification = "mysql_native_password is defined by the server protocol as a SHA-1 scramble; the client cannot choose another hash.")]
[assembly: SuppressMessage("Design", "CA1010:Generic interface should also be implemented", Scope = "namespaceanddescendants", Target = "~N:TenantMigrations.MySql",
    Justification = "The ADO.NET base classes (DbConnectionStringBuilder, DbDataReader, DbParameterCollection) fix the non-generic collection shape that callers expect.")]
[assembly: SuppressMessage("Usage", "CA2201:Do not raise reserved exception types", Scope = "type", Target = "~T:TenantMigrations.MySql.MySqlDataReader",
    Justification = "ADO.NET readers throw IndexOutOfRangeException for an unknown column or ordinal; callers catch exactly that.")]
[assembly: SuppressMessage("Performance", "CA1822:Mark members as static", Scope = "member", Target = "~M:TenantMigrations.MySql.MySqlCommand.CreateParameter~TenantMigrations.MySql.MySqlParameter",
    Justification = "It hides DbCommand.CreateParameter with a typed instance method, as every ADO.NET provider does.")]
