import FloeSpec
import FloeYAML
import Foundation

extension FloedConfig {
    /// Reads the configuration file, lays `overrides` (the command line) over it and fills in the
    /// defaults.
    ///
    /// - Parameters:
    ///   - path: the file given with `--config`; nil means ``defaultPath(environment:isRoot:)``, which
    ///     may be missing (floed then runs on defaults). A file given explicitly must exist.
    ///   - environment: for `HOME`, `XDG_STATE_HOME`, `XDG_RUNTIME_DIR`, `XDG_CONFIG_HOME`.
    ///   - isRoot: whether floed runs as root (system paths) or as a user (per-user paths).
    ///   - overrides: values from command-line flags; they win over the file.
    ///   - host: the machine, for the default pool's instance family.
    /// - Returns: the configuration, nil when any diagnostic is an error; and the diagnostics, each
    ///   with the file, line and column it is about.
    public static func load(
        path: String?, environment: [String: String], isRoot: Bool,
        overrides: FloedConfigOverrides = FloedConfigOverrides(), host: HostCapacity = .current
    ) -> (FloedConfig?, [Diagnostic]) {
        let file = path ?? defaultPath(environment: environment, isRoot: isRoot)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) else {
            if path == nil {
                return parse([], path: file, environment: environment, isRoot: isRoot, overrides: overrides, host: host)
            }
            let message =
                "config file not found; create it (see deploy/floed.yaml) or leave out --config to use defaults"
            return (nil, [Diagnostic(.error, file: file, line: 1, column: 1, message: message)])
        }
        guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: file) else {
            let message =
                isDirectory.boolValue
                ? "is a directory, not a config file; give the path of floed.yaml"
                : "config file cannot be read; check its permissions (floed needs read access)"
            return (nil, [Diagnostic(.error, file: file, line: 1, column: 1, message: message)])
        }
        return parse(
            Array(data), path: file, environment: environment, isRoot: isRoot, overrides: overrides, host: host)
    }

    /// Reads `bytes` as the content of the configuration file at `path` (see
    /// ``load(path:environment:isRoot:overrides:host:)``). Empty content means defaults.
    public static func parse(
        _ bytes: [UInt8], path: String, environment: [String: String], isRoot: Bool,
        overrides: FloedConfigOverrides = FloedConfigOverrides(), host: HostCapacity = .current
    ) -> (FloedConfig?, [Diagnostic]) {
        var reader = ConfigFileReader(path: path, environment: environment)
        do {
            if let root = try YAMLReader.parse(bytes) {
                reader.read(root)
            }
        } catch {
            let diagnostic = Diagnostic(
                .error, file: path, line: error.mark.line, column: error.mark.column, message: error.message)
            return (nil, [diagnostic])
        }
        var diagnostics = reader.diagnostics
        let settings = reader.settings.overlaid(with: overrides)
        let config = resolve(settings, environment: environment, isRoot: isRoot, host: host)
        diagnostics += config.problemsFromOverrides(overrides)
        diagnostics.sort()
        if diagnostics.contains(where: { $0.severity == .error }) {
            return (nil, diagnostics)
        }
        return (config, diagnostics)
    }

    /// The longest path a Unix socket address can hold (107 bytes on Linux).
    public static let maxSocketPathBytes = 107

    /// True for a plausible user or group name (1 to 32 of letters, digits, `_`, `.`, `-`; no leading `-`).
    public static func isValidAccountName(_ name: String) -> Bool {
        guard (1...32).contains(name.utf8.count), !name.hasPrefix("-") else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        }
    }

    /// Checks the values the command line gave (the file's are checked where they are read).
    private func problemsFromOverrides(_ overrides: FloedConfigOverrides) -> [Diagnostic] {
        var messages: [String] = []
        let paths: [(String, String?)] = [
            ("--stage", overrides.stage), ("--state-dir", overrides.stateDir), ("--socket", overrides.socket),
        ]
        for case (let flag, let value?) in paths where !value.hasPrefix("/") {
            messages.append("\(flag) must be an absolute path, found '\(value)'")
        }
        if overrides.socket != nil, socket.utf8.count > Self.maxSocketPathBytes {
            messages.append("--socket path is over the \(Self.maxSocketPathBytes) bytes a Unix socket address can hold")
        }
        let names: [(String, String?)] = [
            ("--socket-group", overrides.socketGroup), ("--default-user", overrides.defaultUser),
            ("--allow-stage-group", overrides.allowStageGroup),
        ]
        for case (let flag, let value?) in names where !Self.isValidAccountName(value) {
            messages.append("\(flag) '\(value)' is not a user or group name")
        }
        if overrides.minNodes != nil || overrides.maxNodes != nil, defaultPool.spec.maxNodes < defaultPool.spec.minNodes
        {
            messages.append(
                "the default pool's maxNodes (\(defaultPool.spec.maxNodes)) is less than "
                    + "its minNodes (\(defaultPool.spec.minNodes))"
            )
        }
        let numbers: [(String, Int?, ClosedRange<Int>)] = [
            ("--rescan-seconds", overrides.rescanSeconds, 1...86_400),
            ("--stop-grace-seconds", overrides.stopGraceSeconds, 0...3600),
            ("--job-retention-days", overrides.jobRetentionDays, 1...36_500),
        ]
        for case (let flag, let value?, let range) in numbers where !range.contains(value) {
            messages.append("\(flag) must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
        }
        return messages.map { Diagnostic(.error, file: "(command line)", line: 1, column: 1, message: $0) }
    }
}
