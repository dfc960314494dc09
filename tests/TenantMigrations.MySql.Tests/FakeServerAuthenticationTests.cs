using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using TenantMigrations.MySql.Protocol;

namespace TenantMigrations.MySql.Tests;

/// <summary>
/// Protocol-level tests of the authentication state machine against a tiny in-process server that speaks only
/// the handshake packets (the real MariaDB cannot exercise caching_sha2_password, RSA or unsupported plugins).
/// </summary>
public sealed class FakeServerAuthenticationTests
{
    const string Password = "fake-pa55";
    static readonly byte[] FirstNonce = Enumerable.Range(0, 20).Select(i => (byte)(0x21 + i)).ToArray();
    static readonly byte[] SecondNonce = Enumerable.Range(0, 20).Select(i => (byte)(0x41 + i)).ToArray();

    sealed record ClientResponse(CapabilityFlags Capabilities, byte Collation, string User, byte[] AuthData, string? Database, string Plugin);

    const CapabilityFlags DefaultCapabilities = CapabilityFlags.LongPassword | CapabilityFlags.Protocol41 | CapabilityFlags.SecureConnection
        | CapabilityFlags.PluginAuth | CapabilityFlags.PluginAuthLengthEncodedClientData | CapabilityFlags.MultiStatements
        | CapabilityFlags.MultiResults | CapabilityFlags.Transactions | CapabilityFlags.ConnectWithDb | CapabilityFlags.DeprecateEof;

    static byte[] Handshake(string plugin, CapabilityFlags capabilities = DefaultCapabilities)
    {
        return new PayloadWriter()
            .WriteByte(10).WriteNullTerminatedString("5.5.5-10.11.99-FakeDB").WriteUInt32(77).WriteBytes(FirstNonce.AsSpan(0, 8)).WriteByte(0)
            .WriteUInt16(unchecked((ushort)capabilities)).WriteByte(45).WriteUInt16(2).WriteUInt16((ushort)((uint)capabilities >> 16))
            .WriteByte(21).WriteZeros(10).WriteBytes(FirstNonce.AsSpan(8)).WriteByte(0).WriteNullTerminatedString(plugin)
            .Memory.ToArray();
    }

    static ClientResponse ParseResponse(byte[] payload)
    {
        var reader = new PayloadReader(payload);
        var capabilities = (CapabilityFlags)reader.ReadUInt32();
        reader.ReadUInt32();
        var collation = reader.ReadByte();
        reader.Skip(23);
        var user = reader.ReadNullTerminatedString();
        var auth = reader.ReadBytes((int)reader.ReadLengthEncodedInteger()).ToArray();
        var database = capabilities.HasFlag(CapabilityFlags.ConnectWithDb) ? reader.ReadNullTerminatedString() : null;
        var plugin = reader.ReadNullTerminatedString();
        return new ClientResponse(capabilities, collation, user, auth, database, plugin);
    }

    static readonly byte[] Ok = [0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00];

    static byte[] Error(ushort code, string state, string message) =>
        new PayloadWriter().WriteByte(0xFF).WriteUInt16(code).WriteByte((byte)'#').WriteBytes(Encoding.ASCII.GetBytes(state)).WriteBytes(Encoding.UTF8.GetBytes(message)).Memory.ToArray();

    static byte[] AuthSwitch(string plugin, byte[] data) => [0xFE, .. Encoding.ASCII.GetBytes(plugin), 0, .. data, 0];

    /// <summary>Runs <paramref name="script"/> as the server side of one connection and the client Open() against it.</summary>
    static async Task<(Exception? ClientError, MySqlConnection Client)> RunAsync(Func<PacketChannel, Task> script, string extraSettings = "")
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var channel = new PacketChannel(stream);
            await script(channel);
            // Give the client time to read the last packet before the socket closes.
            var buffer = new byte[64];
            using var idle = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try { while (await stream.ReadAsync(buffer, idle.Token) > 0) { } } catch (OperationCanceledException) { } catch (IOException) { }
        });
        var client = new MySqlConnection($"Server=127.0.0.1;Port={port};User ID=fake;Password={Password};Database=fakedb;SslMode=None;Connect Timeout=5{extraSettings}");
        Exception? clientError = null;
        try
        {
            await client.OpenAsync();
        }
        catch (Exception ex)
        {
            clientError = ex;
        }
        finally
        {
            await client.CloseAsync();
            listener.Stop();
        }
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        return (clientError, client);
    }

    [Fact]
    public async Task Native_password_handshake_response_is_well_formed()
    {
        ClientResponse? response = null;
        var (error, client) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("mysql_native_password"), true, default);
            response = ParseResponse(await channel.ReadPacketAsync(true, default));
            await channel.WritePacketAsync(Ok, true, default);
        });

        Assert.Null(error);
        Assert.NotNull(response);
        Assert.Equal("fake", response.User);
        Assert.Equal("fakedb", response.Database);
        Assert.Equal("mysql_native_password", response.Plugin);
        Assert.Equal(45, response.Collation);
        Assert.True(response.Capabilities.HasFlag(CapabilityFlags.MultiStatements | CapabilityFlags.MultiResults | CapabilityFlags.DeprecateEof));
        Assert.False(response.Capabilities.HasFlag(CapabilityFlags.Ssl));
        Assert.Equal(AuthenticationScrambles.NativePasswordScramble(Password, FirstNonce), response.AuthData);
    }

    [Fact]
    public async Task Auth_switch_to_native_password_uses_the_new_nonce()
    {
        byte[]? switchedResponse = null;
        var (error, _) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("caching_sha2_password"), true, default);
            var first = ParseResponse(await channel.ReadPacketAsync(true, default));
            Assert.Equal("caching_sha2_password", first.Plugin);
            Assert.Equal(AuthenticationScrambles.CachingSha2Scramble(Password, FirstNonce), first.AuthData);
            await channel.WritePacketAsync(AuthSwitch("mysql_native_password", SecondNonce), true, default);
            switchedResponse = await channel.ReadPacketAsync(true, default);
            await channel.WritePacketAsync(Ok, true, default);
        });

        Assert.Null(error);
        Assert.Equal(AuthenticationScrambles.NativePasswordScramble(Password, SecondNonce), switchedResponse);
    }

    [Theory]
    [InlineData("client_ed25519")]
    [InlineData("auth_gssapi_client")]
    public async Task Unsupported_plugin_fails_with_a_message_naming_it(string plugin)
    {
        var (error, client) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("mysql_native_password"), true, default);
            await channel.ReadPacketAsync(true, default);
            await channel.WritePacketAsync(AuthSwitch(plugin, SecondNonce), true, default);
        });

        var mysqlError = Assert.IsType<MySqlException>(error);
        Assert.Contains(plugin, mysqlError.Message);
        Assert.DoesNotContain(Password, mysqlError.ToString());
        Assert.Equal(System.Data.ConnectionState.Closed, client.State);
    }

    [Fact]
    public async Task Unsupported_default_plugin_gets_a_native_response_and_then_fails_on_the_switch()
    {
        ClientResponse? response = null;
        var (error, _) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("client_ed25519"), true, default);
            response = ParseResponse(await channel.ReadPacketAsync(true, default));
            await channel.WritePacketAsync(AuthSwitch("client_ed25519", SecondNonce), true, default);
        });

        Assert.Equal("mysql_native_password", response?.Plugin);
        Assert.Contains("client_ed25519", Assert.IsType<MySqlException>(error).Message);
    }

    [Fact]
    public async Task Caching_sha2_fast_authentication_success()
    {
        var (error, _) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("caching_sha2_password"), true, default);
            await channel.ReadPacketAsync(true, default);
            await channel.WritePacketAsync(new byte[] { 0x01, 0x03 }, true, default);
            await channel.WritePacketAsync(Ok, true, default);
        });
        Assert.Null(error);
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_retrieves_the_public_key_and_sends_rsa_encrypted_password()
    {
        using var key = RSA.Create(2048);
        byte[]? keyRequest = null;
        byte[]? decrypted = null;
        var (error, _) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("caching_sha2_password"), true, default);
            await channel.ReadPacketAsync(true, default);
            await channel.WritePacketAsync(new byte[] { 0x01, 0x04 }, true, default);
            keyRequest = await channel.ReadPacketAsync(true, default);
            byte[] publicKeyPacket = [0x01, .. Encoding.ASCII.GetBytes(key.ExportSubjectPublicKeyInfoPem())];
            await channel.WritePacketAsync(publicKeyPacket, true, default);
            decrypted = key.Decrypt(await channel.ReadPacketAsync(true, default), RSAEncryptionPadding.OaepSHA1);
            await channel.WritePacketAsync(Ok, true, default);
        }, ";Allow Public Key Retrieval=true");

        Assert.Null(error);
        Assert.Equal(new byte[] { 0x02 }, keyRequest);
        var plain = decrypted!.Select((b, i) => (byte)(b ^ FirstNonce[i % FirstNonce.Length])).ToArray();
        Assert.Equal(Encoding.UTF8.GetBytes(Password + "\0"), plain);
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_uses_a_configured_public_key_file()
    {
        using var key = RSA.Create(2048);
        var keyFile = Path.Combine(Path.GetTempPath(), $"tm-rsa-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(keyFile, key.ExportSubjectPublicKeyInfoPem());
        try
        {
            byte[]? decrypted = null;
            var (error, _) = await RunAsync(async channel =>
            {
                await channel.WritePacketAsync(Handshake("caching_sha2_password"), true, default);
                await channel.ReadPacketAsync(true, default);
                await channel.WritePacketAsync(new byte[] { 0x01, 0x04 }, true, default);
                decrypted = key.Decrypt(await channel.ReadPacketAsync(true, default), RSAEncryptionPadding.OaepSHA1);
                await channel.WritePacketAsync(Ok, true, default);
            }, $";ServerRsaPublicKeyFile={keyFile}");

            Assert.Null(error);
            Assert.Equal(Encoding.UTF8.GetBytes(Password + "\0"), decrypted!.Select((b, i) => (byte)(b ^ FirstNonce[i % 20])).ToArray());
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task Caching_sha2_full_authentication_without_tls_or_key_is_a_clear_error()
    {
        var (error, _) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("caching_sha2_password"), true, default);
            await channel.ReadPacketAsync(true, default);
            await channel.WritePacketAsync(new byte[] { 0x01, 0x04 }, true, default);
        });
        var mysqlError = Assert.IsType<MySqlException>(error);
        Assert.Contains("Allow Public Key Retrieval", mysqlError.Message);
    }

    [Fact]
    public async Task Clear_password_is_refused_without_tls()
    {
        var (error, _) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("mysql_native_password"), true, default);
            await channel.ReadPacketAsync(true, default);
            await channel.WritePacketAsync(AuthSwitch("mysql_clear_password", []), true, default);
        });
        var mysqlError = Assert.IsType<MySqlException>(error);
        Assert.Contains("mysql_clear_password", mysqlError.Message);
        Assert.Contains("TLS", mysqlError.Message);
    }

    [Fact]
    public async Task Server_error_during_authentication_is_reported_with_its_code()
    {
        var (error, _) = await RunAsync(async channel =>
        {
            await channel.WritePacketAsync(Handshake("mysql_native_password"), true, default);
            await channel.ReadPacketAsync(true, default);
            await channel.WritePacketAsync(Error(1040, "08004", "Too many connections"), true, default);
        });
        var mysqlError = Assert.IsType<MySqlException>(error);
        Assert.Equal(1040, mysqlError.Number);
        Assert.Equal("08004", mysqlError.SqlState);
        Assert.True(mysqlError.IsTransient);
    }

    [Fact]
    public async Task Required_tls_fails_when_the_server_does_not_offer_it()
    {
        var (error, _) = await RunAsync(channel => channel.WritePacketAsync(Handshake("mysql_native_password"), true, default).AsTask(), ";SslMode=Required");
        var mysqlError = Assert.IsType<MySqlException>(error);
        Assert.Contains("does not support TLS", mysqlError.Message);
    }

    [Fact]
    public async Task Silent_server_hits_the_connect_timeout()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var client = new MySqlConnection($"Server=127.0.0.1;Port={port};User ID=x;Password=y;Connect Timeout=1");
            var started = System.Diagnostics.Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<MySqlException>(() => client.OpenAsync());
            Assert.Contains("timeout", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.True(started.Elapsed < TimeSpan.FromSeconds(5));
            Assert.True(error.IsTransient);

            using var syncClient = new MySqlConnection($"Server=127.0.0.1;Port={port};User ID=x;Password=y;Connect Timeout=1");
            var syncError = Assert.Throws<MySqlException>(syncClient.Open);
            Assert.Contains("timeout", syncError.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Classic_EOF_packets_are_handled_when_the_server_lacks_DEPRECATE_EOF()
    {
        static byte[] Eof(ServerStatusFlags status) => [0xFE, 0, 0, (byte)status, (byte)((ushort)status >> 8)];
        static byte[] Column(string name) => new PayloadWriter()
            .WriteLengthEncodedInteger(3).WriteUtf8("def").WriteLengthEncodedInteger(0).WriteLengthEncodedInteger(0).WriteLengthEncodedInteger(0)
            .WriteLengthEncodedInteger((ulong)name.Length).WriteUtf8(name).WriteLengthEncodedInteger(0)
            .WriteLengthEncodedInteger(0x0C).WriteUInt16(45).WriteUInt32(11).WriteByte((byte)ColumnType.Long).WriteUInt16(0).WriteByte(0).WriteZeros(2)
            .Memory.ToArray();

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        string? query = null;
        ClientResponse? response = null;
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var channel = new PacketChannel(stream);
            await channel.WritePacketAsync(Handshake("mysql_native_password", DefaultCapabilities & ~CapabilityFlags.DeprecateEof), true, default);
            response = ParseResponse(await channel.ReadPacketAsync(true, default));
            await channel.WritePacketAsync(Ok, true, default);

            channel.ResetSequence();
            query = Encoding.UTF8.GetString((await channel.ReadPacketAsync(true, default)).AsSpan(1));
            const ServerStatusFlags more = ServerStatusFlags.AutoCommit | ServerStatusFlags.MoreResultsExist;
            await channel.WritePacketAsync(new byte[] { 1 }, true, default);
            await channel.WritePacketAsync(Column("n"), true, default);
            await channel.WritePacketAsync(Eof(more), true, default);
            await channel.WritePacketAsync(new byte[] { 2, (byte)'4', (byte)'2' }, true, default);
            await channel.WritePacketAsync(new byte[] { 0xFB }, true, default);
            await channel.WritePacketAsync(Eof(more | ServerStatusFlags.NoBackslashEscapes), true, default);
            await channel.WritePacketAsync(new byte[] { 0x00, 3, 9, 0x02, 0x00, 0x00, 0x00 }, true, default);
            await channel.ReadPacketAsync(true, default).AsTask().WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        });

        await using (var client = new MySqlConnection($"Server=127.0.0.1;Port={port};User ID=fake;Password={Password};SslMode=None"))
        {
            await client.OpenAsync();
            await using var command = new MySqlCommand("SELECT n FROM t WHERE s = @s; UPDATE t SET n = 1", client);
            command.Parameters.AddWithValue("s", "it's");
            await using (var reader = await command.ExecuteReaderAsync())
            {
                Assert.True(await reader.ReadAsync());
                Assert.Equal(42, reader.GetInt32(0));
                Assert.True(await reader.ReadAsync());
                Assert.True(reader.IsDBNull(0));
                Assert.False(await reader.ReadAsync());
                Assert.True(client.NoBackslashEscapes); // taken from the EOF status
                Assert.False(await reader.NextResultAsync());
                Assert.Equal(3, reader.RecordsAffected);
            }
            Assert.Equal(9, client.LastInsertId);
            Assert.False(client.NoBackslashEscapes); // the final OK cleared it again
        }
        listener.Stop();
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(response!.Capabilities.HasFlag(CapabilityFlags.DeprecateEof));
        Assert.Null(response.Database);
        Assert.Equal("SELECT n FROM t WHERE s = 'it\\'s'; UPDATE t SET n = 1", query);
    }
}
