import NIOCore
import Testing

@testable import FloeRuntime

#if canImport(Glibc)
    import Glibc
#endif

/// The probes' first connect: settled within the call on loopback, so a refusal costs no NIO channel.
struct ImmediateConnectTests {
    @Test func aListeningPortOnLoopbackIsConnectedAtOnce() throws {
        let listener = try SilentListener()
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: listener.port)
        let outcome = ImmediateConnect.attempt(address)
        guard case .connected(let fd) = outcome else {
            Issue.record("expected a connection, got \(outcome)")
            return
        }
        close(fd)
        _ = listener.fd
    }

    @Test func aClosedPortOnLoopbackIsRefusedAtOnce() throws {
        let port: Int
        do {
            let listener = try SilentListener()
            port = listener.port
        }  // closed again: nothing listens on the port now
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
        #expect(ImmediateConnect.attempt(address) == .refused)
    }
}
