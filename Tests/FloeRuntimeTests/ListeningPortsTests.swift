import FloeRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ListeningPortsTests {
    @Test func findsTheProcessHoldingAPort() throws {
        let listener = try SilentListener()
        #expect(ListeningPorts.isListening(tcpPort: listener.port))
        let holders = ListeningPorts.holders(ofTCPPort: listener.port)
        #expect(holders.contains { $0.pid == getpid() && !$0.command.isEmpty })
        #expect(holders.first { $0.pid == getpid() }?.description.hasPrefix("pid \(getpid()) (") == true)
        _ = listener.fd
    }

    @Test func aClosedPortHasNoHolder() throws {
        let port: Int
        do {
            let listener = try SilentListener()
            port = listener.port
        }
        #expect(!ListeningPorts.isListening(tcpPort: port))
        #expect(ListeningPorts.holders(ofTCPPort: port).isEmpty)
    }
}
