import FloeNetwork
import FloeSpec
import Foundation
import Logging
import Testing

@testable import FloeDaemon

@Suite struct NetworkConfigTests {
    func parse(_ text: String) -> (FloedConfig?, [String]) {
        let (config, diagnostics) = FloedConfig.parse(
            Array(text.utf8), path: "/etc/floe/floed.yaml", environment: [:], isRoot: true,
            host: HostCapacity(cpus: 8, memoryBytes: 32 << 30))
        return (config, diagnostics.map { "\($0.line):\($0.column): \($0.message)" })
    }

    @Test func defaultsAreAutoOnTheDefaultRangeAndBridge() throws {
        let config = try #require(parse("").0)
        #expect(config.network == .auto)
        #expect(config.networkRange.description == "10.213.0.0/16")
        #expect(config.networkBridge == "floe0")
        let settings = DaemonSettings(config: config, environment: [:])
        #expect(settings.network == .auto)
        #expect(settings.networkRange == config.networkRange)
    }

    @Test func keysAreRead() throws {
        let config = try #require(
            parse("network: namespaces\nnetworkRange: 10.99.0.0/20\nnetworkBridge: flo1\n").0)
        #expect(config.network == .namespaces)
        #expect(config.networkRange.description == "10.99.0.0/20")
        #expect(config.networkBridge == "flo1")
    }

    @Test func badValuesSayWhatIsExpected() {
        let (config, messages) = parse(
            "network: bridge\nnetworkRange: 10.99.0.1/16\nnetworkBridge: my-bridge-name\n")
        #expect(config == nil)
        #expect(messages.count == 3)
        #expect(messages[0].hasPrefix("1:10: 'network' must be auto, host or namespaces"))
        #expect(messages[1].hasPrefix("2:15: 'networkRange' must be an IPv4 network"))
        #expect(messages[2].hasPrefix("3:16: 'networkBridge' must be 1 to 8"))
        #expect(parse("networkRange: 10.99.0.0/27\n").0 == nil)
    }

    func settings(_ mode: FloedConfig.NetworkMode) -> DaemonSettings {
        var settings = DaemonSettings(stageDirectory: "/s", stateDirectory: "/t", socketPath: "/u")
        settings.network = mode
        return settings
    }

    let tools: Result<NetworkTools, NetworkTools.MissingTool> = .success(NetworkTools(ip: "/sbin/ip", nft: "/sbin/nft"))
    let noNft: Result<NetworkTools, NetworkTools.MissingTool> = .failure(.init(name: "nft", package: "nftables"))
    let logger = Logger(label: "test")

    @Test func autoChoosesNamespacesOnlyForRootWithTheTools() throws {
        #expect(try Daemon.makeNetwork(settings(.auto), logger: logger, isRoot: true, tools: tools).isolatesInstances)
        #expect(try !Daemon.makeNetwork(settings(.auto), logger: logger, isRoot: false, tools: tools).isolatesInstances)
        #expect(try !Daemon.makeNetwork(settings(.auto), logger: logger, isRoot: true, tools: noNft).isolatesInstances)
        #expect(try !Daemon.makeNetwork(settings(.host), logger: logger, isRoot: true, tools: tools).isolatesInstances)
    }

    @Test func namespacesModeRefusesWhatCannotWork() {
        #expect {
            try Daemon.makeNetwork(settings(.namespaces), logger: logger, isRoot: false, tools: tools)
        } throws: { error in
            "\(error)".contains("does not run as root") && "\(error)".contains("network: host")
        }
        #expect {
            try Daemon.makeNetwork(settings(.namespaces), logger: logger, isRoot: true, tools: noNft)
        } throws: { error in
            "\(error)".contains("nftables")
        }
    }
}
