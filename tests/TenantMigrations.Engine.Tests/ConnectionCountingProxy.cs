using System.Net;
using System.Net.Sockets;

namespace TenantMigrations.Engine.Tests;

/// <summary>
/// A loopback TCP relay in front of a real server that counts the connections made through it, so a test can tell
/// exactly how many sessions the tool opened (with pooling off, one per open).
/// </summary>
public sealed class ConnectionCountingProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int targetPort;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int connections;

    public ConnectionCountingProxy(int targetPort)
    {
        this.targetPort = targetPort;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref connections);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Interlocked.Increment(ref connections);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, targetPort, stop.Token);
                var toServer = client.GetStream().CopyToAsync(server.GetStream(), stop.Token);
                var toClient = server.GetStream().CopyToAsync(client.GetStream(), stop.Token);
                await Task.WhenAny(toServer, toClient);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // One side closed: the relay ends with it.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
