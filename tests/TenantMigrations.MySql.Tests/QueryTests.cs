using System.Data;
using System.Data.Common;

namespace TenantMigrations.MySql.Tests;

[Collection(MariaDbCollection.Name)]
public sealed class QueryTests(MariaDbFixture fixture)
{
    [Fact]
    public void Missing_table_error_carries_number_and_sql_state()
    {
        using var connection = fixture.OpenConnection();
        var error = Assert.Throws<MySqlException>(() => connection.Scalar("SELECT * FROM no_such_table"));

        Assert.Equal(1146, error.Number);
        Assert.Equal(1146, error.ErrorCode);
        Assert.Equal("42S02", error.SqlState);
        Assert.Contains("no_such_table", error.Message);
        Assert.False(error.IsTransient);
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar("SELECT 1")));
    }

    [Fact]
    public async Task Syntax_error_is_1064()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELEC 1";
        var error = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(1064, error.Number);
        Assert.Equal("42000", error.SqlState);
    }

    [Fact]
    public async Task Multi_statement_batch_yields_result_sets_and_sums_affected_rows()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        connection.Execute("DROP TABLE IF EXISTS multi; CREATE TABLE multi (id INT PRIMARY KEY, name VARCHAR(20))");

        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO multi VALUES (1, 'a'), (2, 'b'), (3, 'c');
            SELECT id, name FROM multi ORDER BY id;
            UPDATE multi SET name = 'z' WHERE id >= 2;
            SELECT COUNT(*) AS total FROM multi WHERE name = 'z';
            DELETE FROM multi WHERE id = 1;
            """;
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.Equal(2, reader.FieldCount);
            Assert.Equal("id", reader.GetName(0));
            var ids = new List<int>();
            while (await reader.ReadAsync()) ids.Add(reader.GetInt32(0));
            Assert.Equal([1, 2, 3], ids);

            Assert.True(await reader.NextResultAsync());
            Assert.Equal("total", reader.GetName(0));
            Assert.True(reader.Read());
            Assert.Equal(2L, reader.GetInt64(0));
            Assert.False(reader.Read());

            Assert.False(await reader.NextResultAsync());
            Assert.Equal(3 + 2 + 1, reader.RecordsAffected);
        }

        command.CommandText = "UPDATE multi SET name = 'y'; UPDATE multi SET name = 'x' WHERE id = 3";
        Assert.Equal(3, command.ExecuteNonQuery());
        command.CommandText = "SELECT 1";
        Assert.Equal(-1, command.ExecuteNonQuery());
    }

    [Fact]
    public void Error_in_second_statement_surfaces_at_that_point_and_connection_stays_usable()
    {
        using var connection = fixture.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 1 AS first; SELECT * FROM missing_table_two; SELECT 3";

        using (var reader = command.ExecuteReader())
        {
            Assert.True(reader.Read());
            Assert.Equal(1, reader.GetInt32(0));
            var error = Assert.Throws<MySqlException>(() => reader.NextResult());
            Assert.Equal(1146, error.Number);
            Assert.False(reader.NextResult());
        }

        var nonQueryError = Assert.Throws<MySqlException>(() => connection.Execute("DO 1; DO (SELECT x FROM missing_table_three); DO 3"));
        Assert.Equal(1146, nonQueryError.Number);

        // Unread results are drained by Dispose, so the next command works.
        using (var reader = new MySqlCommand("SELECT 1; SELECT 2; SELECT 3", connection).ExecuteReader())
            Assert.True(reader.Read());
        Assert.Equal("ok", connection.Scalar("SELECT 'ok'"));
    }

    [Fact]
    public void Second_command_while_reader_open_is_rejected()
    {
        using var connection = fixture.OpenConnection();
        using var reader = new MySqlCommand("SELECT 1", connection).ExecuteReader();
        Assert.Throws<InvalidOperationException>(() => connection.Scalar("SELECT 2"));
    }

    [Fact]
    public void HasRows_peeks_without_losing_the_first_row()
    {
        using var connection = fixture.OpenConnection();
        using (var empty = new MySqlCommand("SELECT 1 FROM DUAL WHERE 1 = 0", connection).ExecuteReader())
        {
            Assert.False(empty.HasRows);
            Assert.False(empty.Read());
        }
        using var reader = new MySqlCommand("SELECT 7 UNION ALL SELECT 8", connection).ExecuteReader();
        Assert.True(reader.HasRows);
        Assert.True(reader.Read());
        Assert.Equal(7L, Convert.ToInt64(reader.GetValue(0)));
        Assert.True(reader.Read());
        Assert.False(reader.Read());
    }

    [Theory]
    [InlineData(MySqlSslMode.None)]
    [InlineData(MySqlSslMode.Required)]
    public async Task Values_over_16_MiB_round_trip_as_parameter_and_result(MySqlSslMode sslMode)
    {
        var settings = new MySqlConnectionStringBuilder(fixture.ConnectionString) { SslMode = sslMode };
        await using var connection = await fixture.OpenConnectionAsync(settings.ConnectionString);
        Assert.Equal(sslMode != MySqlSslMode.None, connection.IsEncrypted);
        connection.Execute("DROP TABLE IF EXISTS big; CREATE TABLE big (id INT PRIMARY KEY, body LONGTEXT, data LONGBLOB)");
        var text = string.Create(17 * 1024 * 1024 + 123, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = (char)('a' + i % 26);
        });
        var bytes = new byte[16 * 1024 * 1024 + 7];
        new Random(42).NextBytes(bytes);

        Assert.Equal(1, connection.Execute("INSERT INTO big VALUES (1, @body, @data)", ("body", text), ("data", bytes)));

        await using var command = new MySqlCommand("SELECT body, data, LENGTH(body) FROM big WHERE id = 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(text.Length, reader.GetInt64(2));
        Assert.Equal(text, reader.GetString(0));
        Assert.Equal(bytes, reader.GetFieldValue<byte[]>(1));
        Assert.Equal(bytes.Length, reader.GetBytes(1, 0, null, 0, 0));
    }

    [Fact]
    public void Exactly_one_packet_boundary_row_round_trips()
    {
        using var connection = fixture.OpenConnection();
        // A single-column row payload is 1 (0xFD) + 3 length bytes + value; choose the value so the row is exactly 0xFFFFFF.
        var length = 0xFFFFFF - 4;
        var value = Convert.ToInt64(connection.Scalar("SELECT LENGTH(REPEAT('x', @n))", ("n", length)));
        Assert.Equal(length, value);
        using var reader = new MySqlCommand($"SELECT REPEAT('x', {length})", connection).ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(length, reader.GetString(0).Length);
        Assert.False(reader.Read());
    }

    [Fact]
    public void Utf8mb4_emoji_and_nulls_round_trip()
    {
        using var connection = fixture.OpenConnection();
        connection.Execute("DROP TABLE IF EXISTS texts; CREATE TABLE texts (id INT PRIMARY KEY, body VARCHAR(100) NULL) CHARACTER SET utf8mb4");
        const string emoji = "héllo 🐬 世界 👩‍👩‍👧";
        connection.Execute("INSERT INTO texts VALUES (1, @body), (2, @nothing), (3, @dbnull)", ("body", emoji), ("nothing", null), ("dbnull", DBNull.Value));

        Assert.Equal(emoji, connection.Scalar("SELECT body FROM texts WHERE id = 1"));
        Assert.Equal((long)emoji.EnumerateRunes().Count(), Convert.ToInt64(connection.Scalar("SELECT CHAR_LENGTH(body) FROM texts WHERE id = 1")));
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar("SELECT COUNT(*) FROM texts WHERE body LIKE '%🐬%'")));
        Assert.Equal(DBNull.Value, connection.Scalar("SELECT body FROM texts WHERE id = 2"));
        Assert.Equal(2L, Convert.ToInt64(connection.Scalar("SELECT COUNT(*) FROM texts WHERE body IS NULL")));
        Assert.Null(connection.Scalar("SELECT body FROM texts WHERE id = 99"));

        using var reader = new MySqlCommand("SELECT body, NULL AS n FROM texts WHERE id = 2", connection).ExecuteReader();
        Assert.True(reader.Read());
        Assert.True(reader.IsDBNull(0));
        Assert.True(reader.IsDBNull(1));
        Assert.Null(reader.GetFieldValue<string?>(0));
        Assert.Null(reader.GetFieldValue<int?>(1));
        Assert.Throws<InvalidCastException>(() => reader.GetInt32(1));
    }

    [Fact]
    public void User_variables_and_system_variables_are_not_parameters()
    {
        using var connection = fixture.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SET @counter = @start; SELECT @counter + 1, @@max_allowed_packet, '@start', `@start` FROM (SELECT 1 AS `@start`) t -- @start\n";
        command.Parameters.AddWithValue("@start", 41);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(42L, Convert.ToInt64(reader.GetValue(0)));
        Assert.Equal(64L * 1024 * 1024, Convert.ToInt64(reader.GetValue(1)));
        Assert.Equal("@start", reader.GetString(2));
        Assert.Equal(1, reader.GetInt32(3));
    }

    [Fact]
    public async Task Transactions_commit_and_roll_back()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        connection.Execute("DROP TABLE IF EXISTS ledger; CREATE TABLE ledger (id INT PRIMARY KEY) ENGINE=InnoDB");

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            connection.Execute("INSERT INTO ledger VALUES (1)");
            await transaction.CommitAsync();
        }
        using (var transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted))
        {
            Assert.Equal(IsolationLevel.ReadCommitted, transaction.IsolationLevel);
            connection.Execute("INSERT INTO ledger VALUES (2)");
            transaction.Rollback();
        }
        using (connection.BeginTransaction())
        {
            connection.Execute("INSERT INTO ledger VALUES (3)");
            // disposed without commit → rolled back
        }
        System.Data.Common.DbTransaction generic = connection.BeginTransaction();
        connection.Execute("INSERT INTO ledger VALUES (4)");
        generic.Commit();

        await using var other = await fixture.OpenConnectionAsync();
        Assert.Equal("1,4", other.Scalar("SELECT GROUP_CONCAT(id ORDER BY id) FROM ledger"));
        Assert.Throws<InvalidOperationException>(() => generic.Commit());
    }

    [Fact]
    public void Nested_transactions_are_rejected()
    {
        using var connection = fixture.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Assert.Throws<InvalidOperationException>(() => connection.BeginTransaction());
    }

    [Fact]
    public void Stale_transaction_from_a_previous_session_does_not_touch_the_new_one()
    {
        using var connection = fixture.OpenConnection();
        connection.Execute("CREATE TABLE IF NOT EXISTS stale_tx (id INT PRIMARY KEY) ENGINE=InnoDB; DELETE FROM stale_tx");
        var stale = connection.BeginTransaction();
        connection.Close();
        connection.Open();
        using (var current = connection.BeginTransaction())
        {
            connection.Execute("INSERT INTO stale_tx VALUES (1)");
            stale.Dispose();
            Assert.Throws<InvalidOperationException>(() => stale.Commit());
            current.Commit();
        }
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar("SELECT COUNT(*) FROM stale_tx")));
    }

    [Fact]
    public async Task Sync_and_async_paths_agree_on_a_mixed_batch()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        const string sql = "SELECT 'a' AS x UNION ALL SELECT 'b'; DO 1; SELECT 42 AS y";
        var syncResults = new List<string>();
        using (var reader = new MySqlCommand(sql, connection).ExecuteReader())
            do { while (reader.Read()) syncResults.Add(reader.GetName(0) + "=" + reader.GetValue(0)); } while (reader.NextResult());
        var asyncResults = new List<string>();
        await using (var reader = await new MySqlCommand(sql, connection).ExecuteReaderAsync())
            do { while (await reader.ReadAsync()) asyncResults.Add(reader.GetName(0) + "=" + reader.GetValue(0)); } while (await reader.NextResultAsync());
        Assert.Equal(["x=a", "x=b", "y=42"], syncResults);
        Assert.Equal(syncResults, asyncResults);
    }

    [Fact]
    public void Closing_the_connection_with_an_open_reader_does_not_read_the_rest()
    {
        var connection = fixture.OpenConnection();
        var reader = new MySqlCommand("SELECT seq FROM seq_1_to_2000000", connection).ExecuteReader();
        Assert.True(reader.Read());
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        connection.Close();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
        Assert.True(reader.IsClosed);
        reader.Dispose();
        connection.Open();
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar("SELECT 1")));
        connection.Dispose();
    }

    [Fact]
    public void CloseConnection_behavior_closes_the_connection_with_the_reader()
    {
        using var connection = fixture.OpenConnection();
        using (var reader = new MySqlCommand("SELECT 1", connection).ExecuteReader(CommandBehavior.CloseConnection))
            Assert.True(reader.Read());
        Assert.Equal(ConnectionState.Closed, connection.State);
    }

    [Fact]
    public async Task Schema_table_names_each_column_with_its_base_table_and_schema()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        connection.Execute("DROP TABLE IF EXISTS described; CREATE TABLE described (id INT NOT NULL PRIMARY KEY, `naïve name` VARCHAR(20) NULL)");
        var database = Convert.ToString(connection.Scalar("SELECT DATABASE()"));

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, `naïve name` FROM described AS d";
        await using var reader = await command.ExecuteReaderAsync();
        var schema = reader.GetSchemaTable();

        Assert.Equal(["id", "naïve name"], schema.Rows.Cast<DataRow>().Select(r => (string)r[SchemaTableColumn.ColumnName]));
        Assert.All(schema.Rows.Cast<DataRow>(), r => Assert.Equal(("d", database), ((string)r[SchemaTableColumn.BaseTableName], (string)r[SchemaTableColumn.BaseSchemaName])));
        Assert.Equal([false, true], schema.Rows.Cast<DataRow>().Select(r => (bool)r[SchemaTableColumn.AllowDBNull]));
    }
}
