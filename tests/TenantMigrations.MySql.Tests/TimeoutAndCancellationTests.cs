using System.Diagnostics;

namespace TenantMigrations.MySql.Tests;

[Collection(MariaDbCollection.Name)]
public sealed class TimeoutAndCancellationTests(MariaDbFixture fixture)
{
    [Fact]
    public void Command_timeout_kills_the_query_and_keeps_the_connection_usable()
    {
        using var connection = fixture.OpenConnection();
        using var command = new MySqlCommand("SELECT SLEEP(5)", connection) { CommandTimeout = 1 };
        var stopwatch = Stopwatch.StartNew();

        var error = Assert.Throws<MySqlException>(() => command.ExecuteScalar());

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.Elapsed}");
        Assert.Contains("timed out after 1 seconds", error.Message);
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);
        Assert.Equal(7L, Convert.ToInt64(connection.Scalar("SELECT 7")));
        Assert.Equal(1L, Convert.ToInt64(connection.Scalar("SELECT 1 FROM DUAL WHERE SLEEP(0.2) = 0")));
    }

    [Fact]
    public async Task Timeout_interrupting_a_real_query_reports_timeout_async()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        await using var command = new MySqlCommand(
            "SELECT COUNT(*) FROM information_schema.COLUMNS a, information_schema.COLUMNS b, information_schema.COLUMNS c WHERE SLEEP(0.001) >= 0",
            connection) { CommandTimeout = 1 };
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MySqlException>(() => command.ExecuteNonQueryAsync());

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(6), $"took {stopwatch.Elapsed}");
        Assert.Equal(3024, error.Number);
        Assert.Equal(1317, Assert.IsType<MySqlException>(error.InnerException).Number);
        Assert.Equal("still here", connection.Scalar("SELECT 'still here'"));
    }

    [Fact]
    public async Task CancellationToken_cancels_with_OperationCanceledException()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        await using var command = new MySqlCommand("SELECT SLEEP(5)", connection) { CommandTimeout = 0 };
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var stopwatch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => command.ExecuteScalarAsync(cancellation.Token));

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"took {stopwatch.Elapsed}");
        Assert.Equal(5L, Convert.ToInt64(await new MySqlCommand("SELECT 5", connection).ExecuteScalarAsync()));
    }

    [Fact]
    public async Task Already_canceled_token_does_not_send_anything()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        await using var command = new MySqlCommand("SELECT 1", connection);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => command.ExecuteScalarAsync(new CancellationToken(true)));
        Assert.Equal(1L, Convert.ToInt64(await command.ExecuteScalarAsync()));
    }

    [Fact]
    public async Task Cancel_from_another_thread_interrupts_the_command()
    {
        await using var connection = await fixture.OpenConnectionAsync();
        await using var command = new MySqlCommand("SELECT SLEEP(5)", connection);
        var running = command.ExecuteScalarAsync();
        await using (var watcher = await fixture.OpenConnectionAsync())
        {
            // A cancel sent before the query reaches the server has nothing to interrupt: wait until it runs there.
            var deadline = DateTime.UtcNow.AddSeconds(4);
            while (Convert.ToInt64(watcher.Scalar($"SELECT count(*) FROM information_schema.processlist WHERE id = {connection.ServerThreadId} AND info = 'SELECT SLEEP(5)'")) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the query never reached the server");
                await Task.Delay(20);
            }
        }
        command.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.Equal(2L, Convert.ToInt64(connection.Scalar("SELECT 2")));
    }

    [Fact]
    public void Default_command_timeout_comes_from_the_connection_string()
    {
        using var connection = new MySqlConnection(fixture.ConnectionString + ";Default Command Timeout=7");
        Assert.Equal(7, connection.CreateCommand().CommandTimeout);
        Assert.Equal(30, new MySqlConnection(fixture.ConnectionString).CreateCommand().CommandTimeout);
    }

    [Fact]
    public void Cancel_after_completion_does_not_hit_the_next_query()
    {
        using var connection = fixture.OpenConnection();
        using var command = new MySqlCommand("SELECT 1", connection);
        Assert.Equal(1L, Convert.ToInt64(command.ExecuteScalar()));
        command.Cancel();
        Thread.Sleep(300);
        Assert.Equal(0L, Convert.ToInt64(connection.Scalar("SELECT SLEEP(0.5)")));
    }

    [Fact]
    public void Timeout_inside_a_transaction_leaves_the_transaction_usable()
    {
        using var connection = fixture.OpenConnection();
        connection.Execute("CREATE TABLE IF NOT EXISTS timeout_tx (id INT PRIMARY KEY) ENGINE=InnoDB; DELETE FROM timeout_tx");
        using var transaction = connection.BeginTransaction();
        connection.Execute("INSERT INTO timeout_tx VALUES (1)");
        using var slow = new MySqlCommand("SELECT SLEEP(3)", connection) { CommandTimeout = 1 };
        Assert.Throws<MySqlException>(() => slow.ExecuteNonQuery());
        connection.Execute("INSERT INTO timeout_tx VALUES (2)");
        transaction.Commit();
        Assert.Equal(2L, Convert.ToInt64(connection.Scalar("SELECT COUNT(*) FROM timeout_tx")));
    }
}
