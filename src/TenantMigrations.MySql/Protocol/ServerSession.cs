using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace TenantMigrations.MySql.Protocol;

/// <summary>One authenticated protocol session: socket, optional TLS, packet channel and server state.</summary>
internal sealed class ServerSession
{
    const uint MaxPacketSize = 1 << 30;

    readonly Socket _socket;
    readonly PacketChannel _channel;

    ServerSession(Socket socket, PacketChannel channel)
    {
        _socket = socket;
        _channel = channel;
    }

    public uint ConnectionId { get; private set; }
    public string ServerVersion { get; private set; } = "";
    public ServerStatusFlags Status { get; private set; }
    public bool DeprecateEof { get; private set; }
    public bool IsTls { get; private set; }
    public bool IsBroken { get; private set; }

    public bool NoBackslashEscapes => Status.HasFlag(ServerStatusFlags.NoBackslashEscapes);

    public void UpdateStatus(ServerStatusFlags status) => Status = status;

    public static async ValueTask<ServerSession> ConnectAsync(MySqlConnectionStringBuilder settings, bool async, CancellationToken cancellationToken)
    {
        var timeoutSeconds = settings.ConnectionTimeout;
        using var timeout = timeoutSeconds == 0 ? new CancellationTokenSource() : new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var token = linked.Token;
        var host = settings.Server;
        var port = (int)settings.Port;

        // A fixed 1 MB receive buffer: with the kernel's starting size, batched journal reads on parallel connections
        // closed the receive window while the client was busy, and the server's sending then stalled for about 200 ms
        // (a TCP retransmission timeout). Status of 500 databases took 0.33 s with that stall and 0.13 s without it.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 1 << 20 };
        try
        {
            try
            {
                if (async) await socket.ConnectAsync(host, port, token).ConfigureAwait(false);
                else socket.ConnectAsync(host, port, token).AsTask().GetAwaiter().GetResult();
            }
            catch (SocketException ex)
            {
                throw new MySqlException($"Unable to connect to {host}:{port}: {ex.Message}", ClientErrorCodes.UnableToConnect, null, ex, isTransient: true);
            }

            if (!async && timeoutSeconds > 0)
                socket.ReceiveTimeout = socket.SendTimeout = checked((int)timeoutSeconds * 1000);
            var session = new ServerSession(socket, new PacketChannel(new NetworkStream(socket, ownsSocket: false)));
            try
            {
                await session.HandshakeAsync(settings, async, token).ConfigureAwait(false);
            }
            catch (IOException ex) when (!timeout.IsCancellationRequested && ex.InnerException is not SocketException { SocketErrorCode: SocketError.TimedOut })
            {
                throw MySqlException.LostConnection(ex);
            }
            socket.ReceiveTimeout = socket.SendTimeout = 0;
            return session;
        }
        catch (Exception ex) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested
                                   && ex is OperationCanceledException or IOException or MySqlException { Number: ClientErrorCodes.LostConnection or ClientErrorCodes.UnableToConnect })
        {
            socket.Dispose();
            throw new MySqlException($"Connect timeout expired after {timeoutSeconds} seconds while connecting to {host}:{port}.", ClientErrorCodes.UnableToConnect, null, ex, isTransient: true);
        }
        catch (IOException ex) when (!async && ex.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            socket.Dispose();
            throw new MySqlException($"Connect timeout expired after {timeoutSeconds} seconds while connecting to {host}:{port}.", ClientErrorCodes.UnableToConnect, null, ex, isTransient: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    async ValueTask HandshakeAsync(MySqlConnectionStringBuilder settings, bool async, CancellationToken token)
    {
        var first = await _channel.ReadPacketAsync(async, token).ConfigureAwait(false);
        if (ErrorPacket.IsError(first)) throw ErrorPacket.ToException(first);
        var handshake = InitialHandshake.Parse(first);
        ConnectionId = handshake.ConnectionId;
        ServerVersion = handshake.ServerVersion.StartsWith("5.5.5-", StringComparison.Ordinal) ? handshake.ServerVersion[6..] : handshake.ServerVersion;
        Status = handshake.Status;

        const CapabilityFlags required = CapabilityFlags.Protocol41 | CapabilityFlags.SecureConnection;
        if ((handshake.Capabilities & required) != required)
            throw MySqlException.Protocol("The server does not support the 4.1 protocol with secure authentication.");

        var useTls = settings.SslMode switch
        {
            MySqlSslMode.None => false,
            MySqlSslMode.Preferred => handshake.Capabilities.HasFlag(CapabilityFlags.Ssl),
            _ => handshake.Capabilities.HasFlag(CapabilityFlags.Ssl)
                ? true
                : throw new MySqlException($"SslMode={settings.SslMode} but the server does not support TLS.", ClientErrorCodes.SslConnectionError),
        };

        var wanted = CapabilityFlags.Protocol41 | CapabilityFlags.SecureConnection | CapabilityFlags.LongPassword | CapabilityFlags.LongFlag
                     | CapabilityFlags.Transactions | CapabilityFlags.MultiStatements | CapabilityFlags.MultiResults | CapabilityFlags.PluginAuth
                     | CapabilityFlags.PluginAuthLengthEncodedClientData | CapabilityFlags.DeprecateEof;
        if (settings.Database.Length > 0) wanted |= CapabilityFlags.ConnectWithDb;
        var capabilities = wanted & handshake.Capabilities | required;
        if (useTls) capabilities |= CapabilityFlags.Ssl;
        DeprecateEof = capabilities.HasFlag(CapabilityFlags.DeprecateEof);
        var collation = (byte)(settings.CharacterSet.Equals("utf8mb4", StringComparison.OrdinalIgnoreCase) ? 45 : 33);

        if (useTls)
        {
            var sslRequest = new PayloadWriter(32).WriteUInt32((uint)capabilities).WriteUInt32(MaxPacketSize).WriteByte(collation).WriteZeros(23);
            await _channel.WritePacketAsync(sslRequest.Memory, async, token).ConfigureAwait(false);
            await StartTlsAsync(settings, async, token).ConfigureAwait(false);
        }

        var authenticator = new Authenticator(this, settings, handshake.Nonce);
        var plugin = AuthenticationScrambles.IsSupported(handshake.AuthPluginName) && handshake.AuthPluginName != AuthenticationScrambles.ClearPassword
            ? handshake.AuthPluginName
            : AuthenticationScrambles.NativePassword; // the server answers with an auth switch if it wants another plugin
        var authResponse = authenticator.InitialResponse(plugin);

        var response = new PayloadWriter(128)
            .WriteUInt32((uint)capabilities).WriteUInt32(MaxPacketSize).WriteByte(collation).WriteZeros(23)
            .WriteNullTerminatedString(settings.UserID);
        if (capabilities.HasFlag(CapabilityFlags.PluginAuthLengthEncodedClientData))
            response.WriteLengthEncodedInteger((ulong)authResponse.Length).WriteBytes(authResponse);
        else
            response.WriteByte((byte)authResponse.Length).WriteBytes(authResponse);
        if (capabilities.HasFlag(CapabilityFlags.ConnectWithDb)) response.WriteNullTerminatedString(settings.Database);
        if (capabilities.HasFlag(CapabilityFlags.PluginAuth)) response.WriteNullTerminatedString(plugin);
        await _channel.WritePacketAsync(response.Memory, async, token).ConfigureAwait(false);

        var ok = await authenticator.CompleteAsync(plugin, async, token).ConfigureAwait(false);
        Status = ok.Status;
    }

    async ValueTask StartTlsAsync(MySqlConnectionStringBuilder settings, bool async, CancellationToken token)
    {
        var validator = new CertificateValidator(settings.SslMode, settings.SslCa);
        var sslStream = new SslStream(_channel.Stream, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = settings.Server,
            RemoteCertificateValidationCallback = validator.Validate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        try
        {
            if (async) await sslStream.AuthenticateAsClientAsync(options, token).ConfigureAwait(false);
            else sslStream.AuthenticateAsClient(options);
        }
        catch (AuthenticationException ex)
        {
            await sslStream.DisposeAsync().ConfigureAwait(false);
            var reason = validator.FailureReason is { } failure ? failure : ex.Message;
            throw new MySqlException($"TLS handshake with the server failed: {reason}", ClientErrorCodes.SslConnectionError, null, ex);
        }
        _channel.ReplaceStream(sslStream);
        IsTls = true;
    }

    public async ValueTask<byte[]> ReadPacketAsync(bool async, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _channel.ReadPacketAsync(async, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            IsBroken = true;
            throw MySqlException.LostConnection(ex);
        }
        catch (MySqlException)
        {
            IsBroken = true;
            throw;
        }
    }

    public async ValueTask WritePacketAsync(ReadOnlyMemory<byte> payload, bool async, CancellationToken cancellationToken = default)
    {
        try
        {
            await _channel.WritePacketAsync(payload, async, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            IsBroken = true;
            throw MySqlException.LostConnection(ex);
        }
    }

    /// <summary>Starts a new command: resets the sequence id and sends the command packet.</summary>
    public ValueTask SendCommandAsync(CommandKind command, string? argument, bool async)
    {
        if (IsBroken) throw new MySqlException("The connection is broken; open a new one.", ClientErrorCodes.ServerGone, null, null, isTransient: true);
        var payload = new PayloadWriter(1 + (argument is null ? 0 : Encoding.UTF8.GetMaxByteCount(Math.Min(argument.Length, 4096)))).WriteByte((byte)command);
        if (argument is not null) payload.WriteUtf8(argument);
        _channel.ResetSequence();
        return WritePacketAsync(payload.Memory, async);
    }

    /// <summary>For commands answered by a single OK or ERR (COM_PING, COM_INIT_DB).</summary>
    public async ValueTask<OkPacket> ExecuteSimpleCommandAsync(CommandKind command, string? argument, bool async)
    {
        await SendCommandAsync(command, argument, async).ConfigureAwait(false);
        var packet = await ReadPacketAsync(async).ConfigureAwait(false);
        if (ErrorPacket.IsError(packet)) throw ErrorPacket.ToException(packet);
        if (!OkPacket.IsOk(packet)) throw MySqlException.Protocol($"Expected OK packet, got 0x{packet.FirstOrDefault():X2}.");
        var ok = OkPacket.Parse(packet);
        Status = ok.Status;
        return ok;
    }

    /// <summary>Best effort COM_QUIT, then closes the socket.</summary>
    public async ValueTask QuitAsync(bool async)
    {
        try
        {
            if (!IsBroken)
            {
                _socket.SendTimeout = 2000;
                await SendCommandAsync(CommandKind.Quit, null, async).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is MySqlException or IOException or SocketException or ObjectDisposedException)
        {
            // The server may already be gone; closing is all that matters now.
        }
        finally
        {
            IsBroken = true;
            try { _channel.Stream.Dispose(); } catch (IOException) { }
            _socket.Dispose();
        }
    }

    /// <summary>Drives the authentication exchange after the handshake response has been sent.</summary>
    sealed class Authenticator(ServerSession session, MySqlConnectionStringBuilder settings, byte[] nonce)
    {
        byte[] _nonce = nonce;

        public byte[] InitialResponse(string plugin) => plugin switch
        {
            AuthenticationScrambles.CachingSha2Password => AuthenticationScrambles.CachingSha2Scramble(settings.Password, _nonce),
            _ => AuthenticationScrambles.NativePasswordScramble(settings.Password, _nonce),
        };

        public async ValueTask<OkPacket> CompleteAsync(string plugin, bool async, CancellationToken token)
        {
            var awaitingPublicKey = false;
            while (true)
            {
                var packet = await session._channel.ReadPacketAsync(async, token).ConfigureAwait(false);
                if (packet.Length == 0) throw MySqlException.Protocol("Empty packet during authentication.");
                switch (packet[0])
                {
                    case 0x00:
                        return OkPacket.Parse(packet);
                    case 0xFF:
                        throw ErrorPacket.ToException(packet);
                    case 0xFE:
                        var reader = new PayloadReader(packet, 1);
                        plugin = reader.Remaining == 0 ? "mysql_old_password" : reader.ReadNullTerminatedString();
                        var data = reader.ReadRest();
                        if (data.Length > 0 && data[^1] == 0) data = data[..^1];
                        _nonce = data.ToArray();
                        await SendAsync(SwitchResponse(plugin), async, token).ConfigureAwait(false);
                        break;
                    case 0x01 when plugin == AuthenticationScrambles.CachingSha2Password && awaitingPublicKey:
                        var publicKey = Encoding.ASCII.GetString(packet, 1, packet.Length - 1);
                        await SendAsync(AuthenticationScrambles.RsaEncryptPassword(settings.Password, _nonce, publicKey), async, token).ConfigureAwait(false);
                        awaitingPublicKey = false;
                        break;
                    case 0x01 when plugin == AuthenticationScrambles.CachingSha2Password && packet.Length == 2 && packet[1] == 0x03:
                        break; // fast authentication succeeded; the OK packet follows
                    case 0x01 when plugin == AuthenticationScrambles.CachingSha2Password && packet.Length == 2 && packet[1] == 0x04:
                        awaitingPublicKey = await SendFullAuthenticationAsync(async, token).ConfigureAwait(false);
                        break;
                    default:
                        throw MySqlException.Protocol($"Unexpected packet 0x{packet[0]:X2} during {plugin} authentication.");
                }
            }
        }

        byte[] SwitchResponse(string plugin) => plugin switch
        {
            AuthenticationScrambles.NativePassword => AuthenticationScrambles.NativePasswordScramble(settings.Password, _nonce),
            AuthenticationScrambles.CachingSha2Password => AuthenticationScrambles.CachingSha2Scramble(settings.Password, _nonce),
            AuthenticationScrambles.ClearPassword when session.IsTls => AuthenticationScrambles.NullTerminated(settings.Password),
            AuthenticationScrambles.ClearPassword => throw new MySqlException(
                "The server requested mysql_clear_password, which is only allowed over TLS; use SslMode=Required or stronger.", ClientErrorCodes.AuthPluginUnsupported),
            _ => throw new MySqlException(
                $"The server requested authentication plugin '{plugin}', which this client does not support (supported: mysql_native_password, caching_sha2_password, mysql_clear_password).",
                ClientErrorCodes.AuthPluginUnsupported),
        };

        /// <returns>true when the server's public key was requested and must be awaited.</returns>
        async ValueTask<bool> SendFullAuthenticationAsync(bool async, CancellationToken token)
        {
            if (session.IsTls)
            {
                await SendAsync(AuthenticationScrambles.NullTerminated(settings.Password), async, token).ConfigureAwait(false);
                return false;
            }
            if (settings.ServerRsaPublicKeyFile.Length > 0)
            {
                var pem = async
                    ? await File.ReadAllTextAsync(settings.ServerRsaPublicKeyFile, token).ConfigureAwait(false)
                    : File.ReadAllText(settings.ServerRsaPublicKeyFile);
                await SendAsync(AuthenticationScrambles.RsaEncryptPassword(settings.Password, _nonce, pem), async, token).ConfigureAwait(false);
                return false;
            }
            if (settings.AllowPublicKeyRetrieval)
            {
                await SendAsync([0x02], async, token).ConfigureAwait(false);
                return true;
            }
            throw new MySqlException(
                "caching_sha2_password full authentication needs TLS, ServerRsaPublicKeyFile, or Allow Public Key Retrieval=true.",
                ClientErrorCodes.AuthPluginUnsupported);
        }

        ValueTask SendAsync(byte[] payload, bool async, CancellationToken token) => session._channel.WritePacketAsync(payload, async, token);
    }
}
