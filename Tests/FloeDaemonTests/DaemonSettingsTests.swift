import FloeConfig
import FloeNetwork
import Logging
import Testing

@testable import FloeDaemon

/// How the daemon's settings follow the configuration, and how it networks instances.
@Suite struct DaemonSettingsTests {
    func config(_ text: String) throws -> FloedConfig {
        let (read, diagnostics) = FloedConfig.parse(
            Array(text.utf8), path: "/etc/floe/floed.yaml", environment: [:], isRoot: true,
            host: HostCapacity(cpus: 8, memoryBytes: 32 << 30))
        return try #require(read, "\(diagnostics)")
    }

    @Test func settingsTakeTheConfiguredNetwork() throws {
        let config = try config("")
        let settings = DaemonSettings(config: config, environment: [:])
        #expect(settings.network == .auto)
        #expect(settings.networkRange == config.networkRange)
    }

    @Test func settingsTakeTheConfiguredIngress() throws {
        let settings = DaemonSettings(
            config: try config("ingressPorts: 9000-9009\ningressResumeSeconds: 5\n"), environment: [:])
        #expect(settings.ingress.ports == 9000...9009)
        #expect(settings.ingress.resumeTimeout == .seconds(5))
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
