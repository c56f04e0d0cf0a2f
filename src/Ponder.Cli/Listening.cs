using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Ponder.Server;

namespace Ponder.Cli;

/// <summary>The port <c>ponder serve</c> listens on: checked before the model is loaded, and a failed bind said in
/// one line.</summary>
static class Listening
{
    /// <summary>Refuses a port out of range, and one another process already holds (checked by binding it for a
    /// moment, for addresses given as an IP or as localhost).</summary>
    public static void CheckFree(string host, int port)
    {
        if (port is < 0 or > 65535)
            throw new PonderException($"--port {port}: use 1 to 65535 (0 picks a free port).");
        if (string.IsNullOrWhiteSpace(host))
            throw new PonderException("--host is empty: give an address to listen on, e.g. 127.0.0.1.");
        if (port == 0)
            return;
        foreach (var address in Addresses(host))
        {
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(address, port));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                throw InUse(host, port);
            }
            catch (SocketException)
            {
                // Not an address of this machine, say: the server's own bind reports it.
            }
        }
    }

    /// <summary>Starts the server; a port taken since <see cref="CheckFree"/> ends in the same one line.</summary>
    public static void Start(PonderServer server, string host, int port)
    {
        try
        {
            server.StartAsync().GetAwaiter().GetResult();
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            throw InUse(host, port);
        }
    }

    static PonderException InUse(string host, int port) =>
        new($"--port {port}: {host}:{port} is in use by another process; choose another port with --port.");

    static IPAddress[] Addresses(string host) =>
        host == "localhost" ? [IPAddress.Loopback, IPAddress.IPv6Loopback]
        : IPAddress.TryParse(host, out var ip) ? [ip]
        : [];
}
