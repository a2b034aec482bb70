import FloeSpec
import Foundation
import Logging
import Testing

@testable import FloeConfig

@Suite struct ConfigTests {
    let host = HostCapacity(cpus: 8, memoryBytes: 32 << 30)
    let userEnvironment = ["HOME": "/home/ann", "XDG_RUNTIME_DIR": "/run/user/1000"]

    private func parse(
        _ text: String, isRoot: Bool = true, environment: [String: String] = [:],
        overrides: FloedConfigOverrides = FloedConfigOverrides()
    ) -> (FloedConfig?, [Diagnostic]) {
        FloedConfig.parse(
            Array(text.utf8), path: "/etc/floe/floed.yaml", environment: environment, isRoot: isRoot,
            overrides: overrides, host: host)
    }

    @Test func rootDefaults() throws {
        let config = FloedConfig.defaults(environment: [:], isRoot: true, host: host)
        #expect(config.stage == "/var/lib/floe/stage")
        #expect(config.stateDir == "/var/lib/floe")
        #expect(config.socket == "/run/floe/floed.sock")
        #expect(config.socketGroup == "floe")
        #expect(config.rescanSeconds == 20)
        #expect(config.defaultPool.name.value == "DEFAULT_POOL")
        #expect(config.defaultPool.spec.instanceFamily.name == "CPU_X64_M")  // 8 CPUs, 32 GiB
        #expect(config.defaultPool.spec.minNodes == 1)
        #expect(config.defaultPool.spec.maxNodes == 1)
        #expect(config.defaultUser == "floe")
        #expect(config.allowStageGroup == nil)
        #expect(config.stopGraceSeconds == 30)
        #expect(config.logSizeLimitBytes == 10 * 1024 * 1024)
        #expect(config.jobRetentionDays == 30)
        #expect(config.log == FloedConfig.Log(target: .auto, level: .info))
        #expect(FloedConfig.defaultPath(environment: [:], isRoot: true) == "/etc/floe/floed.yaml")
    }

    @Test func userDefaultsFollowXDG() {
        let config = FloedConfig.defaults(environment: userEnvironment, isRoot: false, host: host)
        #expect(config.stateDir == "/home/ann/.local/state/floe")
        #expect(config.stage == "/home/ann/.local/state/floe/stage")
        #expect(config.socket == "/run/user/1000/floe/floed.sock")
        #expect(
            FloedConfig.defaultPath(environment: userEnvironment, isRoot: false) == "/home/ann/.config/floe/floed.yaml")

        let xdg = FloedConfig.defaults(
            environment: ["HOME": "/home/ann", "XDG_STATE_HOME": "/data/state", "XDG_CONFIG_HOME": "/data/config"],
            isRoot: false, host: host)
        #expect(xdg.stateDir == "/data/state/floe")
        #expect(xdg.stage == "/data/state/floe/stage")
        #expect(xdg.socket == "/data/state/floe/floed.sock")
        #expect(
            FloedConfig.defaultPath(environment: ["XDG_CONFIG_HOME": "/data/config"], isRoot: false)
                == "/data/config/floe/floed.yaml")
    }

    @Test func defaultInstanceFamilyIsTheLargestCPUFamilyThatFits() {
        func family(_ cpus: Int, _ gib: UInt64) -> String {
            FloedConfig.defaultInstanceFamily(for: HostCapacity(cpus: cpus, memoryBytes: gib << 30)).name
        }
        #expect(family(2, 4) == "CPU_X64_XS")  // nothing fits: the fallback
        #expect(family(2, 8) == "CPU_X64_XS")
        #expect(family(4, 16) == "CPU_X64_S")
        #expect(family(16, 16) == "CPU_X64_S")  // memory limits it
        #expect(family(8, 64) == "CPU_X64_M")
        #expect(family(16, 64) == "CPU_X64_SL")
        #expect(family(128, 2048) == "CPU_X64_L")  // never a HIGHMEM or GPU family
    }

    @Test func everyKeyIsRead() throws {
        let (config, diagnostics) = parse(
            """
            stage: /srv/floe/stage/
            stateDir: /srv/floe
            socket: /srv/floe/api.sock
            socketGroup: floe-ops
            rescanSeconds: 5
            defaultPool:
              name: local_pool
              instanceFamily: cpu_x64_m
              minNodes: 1
              maxNodes: 3
            defaultUser: svc
            allowStageGroup: floe-admins
            stopGraceSeconds: 10
            logSizeLimitBytes: 1Mi
            jobRetentionDays: 7
            log:
              target: journal
              level: debug
            imageRoots: [/srv/images, ~/images/]
            """)
        #expect(diagnostics.isEmpty)
        let c = try #require(config)
        #expect(c.stage == "/srv/floe/stage")
        #expect(c.stateDir == "/srv/floe")
        #expect(c.socket == "/srv/floe/api.sock")
        #expect(c.socketGroup == "floe-ops")
        #expect(c.rescanSeconds == 5)
        #expect(c.defaultPool.name.value == "LOCAL_POOL")
        #expect(c.defaultPool.spec.instanceFamily.name == "CPU_X64_M")
        #expect(c.defaultPool.spec.maxNodes == 3)
        #expect(c.defaultUser == "svc")
        #expect(c.allowStageGroup == "floe-admins")
        #expect(c.stopGraceSeconds == 10)
        #expect(c.logSizeLimitBytes == 1 << 20)
        #expect(c.jobRetentionDays == 7)
        #expect(c.log == FloedConfig.Log(target: .journal, level: .debug))
        #expect(c.imageRoots == ["/srv/images", FloedConfig.homeDirectory([:]) + "/images"])
    }

    @Test func imageRootsMustBeAbsoluteAndDefaultToNone() throws {
        #expect(try #require(parse("").0).imageRoots == [])
        #expect(try #require(parse("imageRoots: /srv/one\n").0).imageRoots == ["/srv/one"])
        let (config, diagnostics) = parse("imageRoots: [relative/dir]\n")
        #expect(config == nil)
        #expect(diagnostics.first?.message.contains("'imageRoots' must be an absolute path") == true)
    }

    @Test func stageFollowsStateDirUnlessGiven() throws {
        let (config, _) = parse("stateDir: /srv/floe\n")
        #expect(config?.stage == "/srv/floe/stage")
        #expect(config?.socket == "/run/floe/floed.sock")
        let (user, _) = parse("stateDir: ~/floe\n", isRoot: false, environment: ["HOME": "/home/ann"])
        #expect(user?.stage == "/home/ann/floe/stage")
        #expect(user?.socket == "/home/ann/floe/floed.sock")
    }

    @Test func emptyAndCommentOnlyFilesMeanDefaults() throws {
        let (empty, d1) = parse("")
        let (comments, d2) = parse("# nothing here\n# stage: /x\n")
        let (nulls, d3) = parse("stage:\nlog:\ndefaultPool: ~\n")
        let defaults = FloedConfig.defaults(environment: [:], isRoot: true, host: host)
        #expect(d1.isEmpty && d2.isEmpty && d3.isEmpty)
        #expect(empty == defaults)
        #expect(comments == defaults)
        #expect(nulls == defaults)
    }

    @Test func unknownKeysSuggestTheKnownOne() {
        let (config, diagnostics) = parse(
            """
            stateDir: /srv/floe
            state_dir: /srv/other
            rescanSecond: 5
            defaultPool:
              instanceFamly: CPU_X64_S
            log:
              levle: info
            frobnicate: 1
            """)
        #expect(config == nil)
        #expect(diagnostics.allSatisfy { $0.file == "/etc/floe/floed.yaml" && $0.severity == .error })
        let messages = diagnostics.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(
            messages == [
                "2:1: unknown key 'state_dir' in floed.yaml; did you mean 'stateDir'?",
                "3:1: unknown key 'rescanSecond' in floed.yaml; did you mean 'rescanSeconds'?",
                "5:3: unknown key 'instanceFamly' in defaultPool; did you mean 'instanceFamily'?",
                "7:3: unknown key 'levle' in log; did you mean 'level'?",
                "8:1: unknown key 'frobnicate' in floed.yaml; known keys: stage, stateDir, socket, socketGroup, "
                    + "rescanSeconds, defaultPool, defaultUser, allowStageGroup, stopGraceSeconds, "
                    + "logSizeLimitBytes, jobRetentionDays, log, imageRoots, ingressAddress, ingressPorts, "
                    + "ingressResumeSeconds, network, networkRange, networkBridge",
            ])
    }

    @Test func wrongTypesAndValuesArePositioned() {
        let (config, diagnostics) = parse(
            """
            stage: relative/stage
            rescanSeconds: "20"
            stopGraceSeconds: -1
            jobRetentionDays: soon
            logSizeLimitBytes: 10MB
            socketGroup: [a, b]
            defaultUser: "-x"
            defaultPool:
              name: 9pool
              instanceFamily: CPU-X64-M
              minNodes: 3
              maxNodes: 2
            log:
              target: syslog
              level: verbose
            """)
        #expect(config == nil)
        let byLine = Dictionary(grouping: diagnostics, by: \.line)
        #expect(byLine[1]?.first?.message.contains("must be an absolute path") == true)
        #expect(byLine[2]?.first?.message == "'rescanSeconds' must be a whole number, found '20'; remove the quotes")
        #expect(byLine[3]?.first?.message == "'stopGraceSeconds' must be between 0 and 3600, found -1")
        #expect(byLine[4]?.first?.message.contains("whole number") == true)
        #expect(byLine[5]?.first?.message.contains("10Mi") == true)
        #expect(byLine[6]?.first?.message == "'socketGroup' must be a single value, found a list")
        #expect(byLine[7]?.first?.message.contains("not a user or group name") == true)
        #expect(byLine[9]?.first?.message.contains("not an identifier") == true)
        #expect(byLine[10]?.first?.message.contains("did you mean 'CPU_X64_M'?") == true)
        #expect(byLine[12]?.first?.message.contains("less than 'minNodes'") == true)
        #expect(byLine[14]?.first?.message == "'log.target' must be auto, journal or stderr, not 'syslog'")
        #expect(byLine[15]?.first?.message.contains("'log.level' must be one of trace, debug, info") == true)
        #expect(diagnostics.allSatisfy { $0.severity == .error && $0.file == "/etc/floe/floed.yaml" })
        #expect(diagnostics.first { $0.line == 14 }?.column == 11)
    }

    @Test func yamlErrorsBecomeDiagnostics() {
        let (config, diagnostics) = parse("stage: /a\nstage: /b\n")
        #expect(config == nil)
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.line == 2)
        #expect(diagnostics.first?.message.contains("duplicate key 'stage'") == true)
        let (notMapping, more) = parse("- stage\n")
        #expect(notMapping == nil)
        #expect(more.first?.message.contains("must be a mapping") == true)
    }

    @Test func tooLongSocketPathIsRefused() {
        let long = "/" + String(repeating: "s", count: 120)
        let (config, diagnostics) = parse("socket: \(long)\n")
        #expect(config == nil)
        #expect(diagnostics.first?.message.contains("Unix socket address") == true)
    }

    @Test func commandLineOverridesTheFile() throws {
        let overrides = FloedConfigOverrides(
            stateDir: "/cli/state", rescanSeconds: 3, instanceFamily: InstanceFamily.named("CPU_X64_XS"),
            logLevel: .trace)
        let (config, diagnostics) = parse(
            "stateDir: /file/state\nrescanSeconds: 9\nstopGraceSeconds: 12\nlog: {level: error}\n",
            overrides: overrides)
        #expect(diagnostics.isEmpty)
        let c = try #require(config)
        #expect(c.stateDir == "/cli/state")
        #expect(c.stage == "/cli/state/stage")
        #expect(c.rescanSeconds == 3)
        #expect(c.stopGraceSeconds == 12)
        #expect(c.defaultPool.spec.instanceFamily.name == "CPU_X64_XS")
        #expect(c.log.level == .trace)

        let (bad, problems) = parse("", overrides: FloedConfigOverrides(stage: "rel", rescanSeconds: 0, maxNodes: 0))
        #expect(bad == nil)
        #expect(problems.count == 3)
        #expect(problems.allSatisfy { $0.file == "(command line)" })
    }

    @Test func loadDistinguishesDefaultAndExplicitPaths() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let environment = ["HOME": dir.path, "XDG_CONFIG_HOME": dir.appendingPathComponent("config").path]

        // No file at the default path: defaults, no diagnostics.
        let (defaults, none) = FloedConfig.load(path: nil, environment: environment, isRoot: false, host: host)
        #expect(none.isEmpty)
        #expect(defaults?.stateDir == dir.path + "/.local/state/floe")

        // A missing file given explicitly is an error.
        let missing = dir.appendingPathComponent("nope.yaml").path
        let (nothing, errors) = FloedConfig.load(path: missing, environment: environment, isRoot: false, host: host)
        #expect(nothing == nil)
        #expect(errors.first?.file == missing)
        #expect(errors.first?.message.contains("not found") == true)

        // The default path, when present, is read.
        let configDir = dir.appendingPathComponent("config/floe")
        try FileManager.default.createDirectory(at: configDir, withIntermediateDirectories: true)
        try Data("rescanSeconds: 7\n".utf8).write(to: configDir.appendingPathComponent("floed.yaml"))
        let (read, _) = FloedConfig.load(path: nil, environment: environment, isRoot: false, host: host)
        #expect(read?.rescanSeconds == 7)

        // A directory is not a config file.
        let (directory, dirErrors) = FloedConfig.load(
            path: dir.path, environment: environment, isRoot: false, host: host)
        #expect(directory == nil)
        #expect(dirErrors.first?.message.contains("is a directory") == true)
    }

    @Test func ingressSettingsAreReadAndChecked() {
        let (config, diagnostics) = parse(
            """
            ingressAddress: 0.0.0.0
            ingressPorts: 9000-9009
            ingressResumeSeconds: 5
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(config?.ingressAddress == "0.0.0.0")
        #expect(config?.ingressPorts == 9000...9009)
        #expect(config?.ingressResumeSeconds == 5)
        let (_, bad) = parse(
            """
            ingressAddress: example.com
            ingressPorts: 9010-9000
            """)
        let messages = bad.map { "\($0.line):\($0.column): \($0.message)" }
        #expect(
            messages == [
                "1:17: 'ingressAddress' must be an IP address such as 127.0.0.1 or 0.0.0.0, found 'example.com'",
                "2:15: 'ingressPorts' must be a port range such as 8400-8499 (ports 1 to 65535), found '9010-9000'",
            ])
    }

    @Test func theShippedConfigFileIsValidAndSaysTheDefaults() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("deploy/floed.yaml")
        let (config, diagnostics) = FloedConfig.load(path: url.path, environment: [:], isRoot: true, host: host)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(config == FloedConfig.defaults(environment: [:], isRoot: true, host: host))

        // Every key appears in it (commented out), so uncommenting them all must also be valid.
        let text = try String(contentsOf: url, encoding: .utf8)
        for key in ConfigFileReader.topLevelKeys + ConfigFileReader.poolKeys + ConfigFileReader.logKeys {
            #expect(text.contains("\(key):"), "deploy/floed.yaml does not mention \(key)")
        }
        let keys = Set(ConfigFileReader.topLevelKeys + ConfigFileReader.poolKeys + ConfigFileReader.logKeys)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            // `#key: value` and `#  key: value` lines are settings; other comments are prose.
            guard line.hasPrefix("#") else { return String(line) }
            let rest = line.dropFirst()
            let key = rest.drop { $0 == " " }.prefix { $0 != ":" }
            return keys.contains(String(key)) && rest.contains(":") ? String(rest) : String(line)
        }.joined(separator: "\n")
        let (all, allDiagnostics) = parse(uncommented)
        #expect(allDiagnostics.isEmpty, "\(allDiagnostics)")
        #expect(all?.defaultPool.spec.instanceFamily.name == "CPU_X64_S")
    }
}
