import FloeConfig
import Foundation
import Testing

/// Where floectl looks for floed's control socket.
@Suite struct ClientSocketTests {
    /// A config home with a floed.yaml that says `text`; removed when the test ends.
    func withConfigHome(_ text: String?, _ body: (String) throws -> Void) throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("floe-socket-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let directory = home.appendingPathComponent("floe")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if let text {
            try Data(text.utf8).write(to: directory.appendingPathComponent("floed.yaml"))
        }
        try body(home.path)
    }

    @Test func theFlagWinsOverEverything() throws {
        try withConfigHome("socket: /srv/floe/from-config.sock\n") { home in
            let environment = ["XDG_CONFIG_HOME": home, "FLOE_SOCKET": "/run/from-env.sock", "HOME": "/home/ann"]
            #expect(
                FloedConfig.clientSocketPath(given: "/tmp/flag.sock", environment: environment, isRoot: false)
                    == "/tmp/flag.sock")
            #expect(
                FloedConfig.clientSocketPath(given: nil, environment: environment, isRoot: false)
                    == "/run/from-env.sock")
        }
    }

    @Test func theConfigFileComesAfterTheEnvironment() throws {
        try withConfigHome("socket: /srv/floe/from-config.sock\n") { home in
            let environment = ["XDG_CONFIG_HOME": home, "FLOE_SOCKET": "", "HOME": "/home/ann"]
            #expect(
                FloedConfig.clientSocketPath(given: nil, environment: environment, isRoot: false)
                    == "/srv/floe/from-config.sock")
        }
    }

    @Test func withoutAConfigFileItIsFloedsDefault() throws {
        try withConfigHome(nil) { home in
            let runtime = ["XDG_CONFIG_HOME": home, "HOME": "/home/ann", "XDG_RUNTIME_DIR": "/run/user/1000"]
            #expect(
                FloedConfig.clientSocketPath(given: nil, environment: runtime, isRoot: false)
                    == "/run/user/1000/floe/floed.sock")
            let noRuntime = ["XDG_CONFIG_HOME": home, "HOME": "/home/ann"]
            #expect(
                FloedConfig.clientSocketPath(given: nil, environment: noRuntime, isRoot: false)
                    == "/home/ann/.local/state/floe/floed.sock")
        }
        // Root reads /etc/floe/floed.yaml, which this machine may have.
        if !FileManager.default.fileExists(atPath: "/etc/floe/floed.yaml") {
            #expect(FloedConfig.clientSocketPath(given: nil, environment: [:], isRoot: true) == "/run/floe/floed.sock")
        }
    }

    @Test func anInvalidConfigFileFallsBackToTheDefault() throws {
        try withConfigHome("socket: relative.sock\n") { home in
            let environment = ["XDG_CONFIG_HOME": home, "HOME": "/home/ann", "XDG_RUNTIME_DIR": "/run/user/1000"]
            #expect(
                FloedConfig.clientSocketPath(given: nil, environment: environment, isRoot: false)
                    == "/run/user/1000/floe/floed.sock")
        }
    }
}
