import FloeNetwork
import FloeSpec
import FloeYAML
import Foundation
import Logging

/// Reads the node tree of a floed.yaml into ``FloedConfigOverrides``, collecting positioned
/// diagnostics in the style of stage files (unknown keys with "did you mean", wrong types).
struct ConfigFileReader {
    static let topLevelKeys = [
        "stage", "stateDir", "socket", "socketGroup", "rescanSeconds", "defaultPool", "defaultUser",
        "allowStageGroup", "stopGraceSeconds", "logSizeLimitBytes", "jobRetentionDays", "log",
        "imageRoots",
        "ingressAddress", "ingressPorts", "ingressResumeSeconds",
        "network", "networkRange", "networkBridge",
    ]
    static let poolKeys = ["name", "instanceFamily", "minNodes", "maxNodes"]
    static let logKeys = ["target", "level"]

    let path: String
    let environment: [String: String]
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var settings = FloedConfigOverrides()

    init(path: String, environment: [String: String]) {
        self.path = path
        self.environment = environment
    }

    mutating func read(_ root: YAMLNode) {
        guard let pairs = root.mapping else {
            error(at: root.mark, "floed.yaml must be a mapping of settings (key: value), found \(root.kindDescription)")
            return
        }
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            let value = pair.value
            switch key {
            case "stage": settings.stage = absolutePath(value, key: key)
            case "stateDir": settings.stateDir = absolutePath(value, key: key)
            case "socket": settings.socket = socketPath(value)
            case "socketGroup": settings.socketGroup = accountName(value, key: key)
            case "rescanSeconds": settings.rescanSeconds = integer(value, key: key, in: 1...86_400)
            case "defaultPool": readPool(value)
            case "defaultUser": settings.defaultUser = accountName(value, key: key)
            case "allowStageGroup": settings.allowStageGroup = accountName(value, key: key)
            case "stopGraceSeconds": settings.stopGraceSeconds = integer(value, key: key, in: 0...3600)
            case "logSizeLimitBytes": settings.logSizeLimitBytes = byteSize(value, key: key)
            case "jobRetentionDays": settings.jobRetentionDays = integer(value, key: key, in: 1...36_500)
            case "log": readLog(value)
            case "imageRoots": settings.imageRoots = pathList(value, key: key)
            case "ingressAddress": settings.ingressAddress = ingressAddress(value)
            case "ingressPorts": settings.ingressPorts = portRange(value, key: key)
            case "ingressResumeSeconds": settings.ingressResumeSeconds = integer(value, key: key, in: 1...3600)
            case "network", "networkRange", "networkBridge": readNetwork(key, value)
            default: unknownKey(pair.key, known: Self.topLevelKeys, in: "floed.yaml")
            }
        }
    }

    private mutating func readPool(_ node: YAMLNode) {
        if node.isNull { return }
        guard let pairs = node.mapping else {
            error(
                at: node.mark,
                "'defaultPool' must be a mapping (name, instanceFamily, minNodes, maxNodes), "
                    + "found \(node.kindDescription)"
            )
            return
        }
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            let value = pair.value
            switch key {
            case "name":
                guard let text = string(value, key: "defaultPool.name") else { break }
                if let name = ObjectName(text) {
                    settings.defaultPoolName = name
                } else {
                    error(
                        at: value.mark,
                        "'defaultPool.name' '\(text)' is not an identifier: "
                            + "use letters, digits, '_' and '$', starting with a letter or '_'"
                    )
                }
            case "instanceFamily":
                guard let text = string(value, key: "defaultPool.instanceFamily") else { break }
                if let family = InstanceFamily.named(text) {
                    settings.instanceFamily = family
                } else {
                    let names = InstanceFamily.all.map(\.name)
                    var message = "unknown instance family '\(text)'"
                    if let close = Self.closest(to: text.uppercased(), among: names) {
                        message += "; did you mean '\(close)'?"
                    } else {
                        message += "; use one of \(names.joined(separator: ", "))"
                    }
                    error(at: value.mark, message)
                }
            case "minNodes": settings.minNodes = integer(value, key: "defaultPool.minNodes", in: 1...1000)
            case "maxNodes": settings.maxNodes = integer(value, key: "defaultPool.maxNodes", in: 1...1000)
            default: unknownKey(pair.key, known: Self.poolKeys, in: "defaultPool")
            }
        }
        if let min = settings.minNodes, let max = settings.maxNodes, max < min, let node = node["maxNodes"] {
            error(
                at: node.mark,
                "'defaultPool.maxNodes' (\(max)) is less than 'minNodes' (\(min)); raise maxNodes or lower minNodes")
        }
    }

    private mutating func readLog(_ node: YAMLNode) {
        if node.isNull { return }
        guard let pairs = node.mapping else {
            error(at: node.mark, "'log' must be a mapping (target, level), found \(node.kindDescription)")
            return
        }
        for pair in pairs {
            guard let key = pair.key.scalar else { continue }
            let value = pair.value
            switch key {
            case "target":
                guard let text = string(value, key: "log.target") else { break }
                if let target = LogTarget(rawValue: text.lowercased()) {
                    settings.logTarget = target
                } else {
                    error(at: value.mark, "'log.target' must be auto, journal or stderr, not '\(text)'")
                }
            case "level":
                guard let text = string(value, key: "log.level") else { break }
                if let level = Logger.Level(rawValue: text.lowercased()) {
                    settings.logLevel = level
                } else {
                    let names = Logger.Level.allCases.map(\.rawValue)
                    var message = "'log.level' must be one of \(names.joined(separator: ", ")), not '\(text)'"
                    if let close = Self.closest(to: text.lowercased(), among: names) {
                        message += "; did you mean '\(close)'?"
                    }
                    error(at: value.mark, message)
                }
            default: unknownKey(pair.key, known: Self.logKeys, in: "log")
            }
        }
    }

    /// `network`, `networkRange` and `networkBridge`.
    private mutating func readNetwork(_ key: String, _ node: YAMLNode) {
        guard let text = string(node, key: key) else { return }
        switch key {
        case "network":
            if let mode = FloedConfig.NetworkMode(rawValue: text.lowercased()) {
                settings.network = mode
            } else {
                error(at: node.mark, "'network' must be auto, host or namespaces, not '\(text)'")
            }
        case "networkRange":
            if let range = IPv4Range(text), range.prefixLength <= 26 {
                settings.networkRange = range
            } else {
                error(
                    at: node.mark,
                    "'networkRange' must be an IPv4 network of /26 or larger with its host bits zero, "
                        + "like 10.213.0.0/16, not '\(text)'")
            }
        default:
            if NetworkNames.isValidBridgeName(text) {
                settings.networkBridge = text
            } else {
                error(
                    at: node.mark,
                    "'networkBridge' must be 1 to 8 lower-case letters or digits starting with a letter, not '\(text)'")
            }
        }
    }

    // MARK: Values

    /// A scalar's text; nil (with an error) for a list or mapping, nil (silently) for null.
    private mutating func string(_ node: YAMLNode, key: String) -> String? {
        if node.isNull { return nil }
        guard let text = node.scalar else {
            error(at: node.mark, "'\(key)' must be a single value, found \(node.kindDescription)")
            return nil
        }
        return text
    }

    private mutating func integer(_ node: YAMLNode, key: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, key: key) else { return nil }
        guard node.scalarStyle == .plain, let value = Int(text.replacing("_", with: "")) else {
            let quoted = node.scalarStyle != .plain && Int(text) != nil
            error(
                at: node.mark,
                "'\(key)' must be a whole number, found '\(text)'" + (quoted ? "; remove the quotes" : ""))
            return nil
        }
        guard range.contains(value) else {
            error(at: node.mark, "'\(key)' must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    /// Bytes, or a number with a unit as SPCS writes memory: `K`/`k`, `Ki`, `M`, `Mi`, `G`, `Gi`.
    private mutating func byteSize(_ node: YAMLNode, key: String) -> Int64? {
        guard let text = string(node, key: key) else { return nil }
        let units: [(String, Int64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("K", 1000), ("k", 1000), ("M", 1_000_000),
            ("G", 1_000_000_000),
        ]
        var number = Substring(text)
        var multiplier: Int64 = 1
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard let count = Int64(number), count > 0 else {
            error(at: node.mark, "'\(key)' must be a size in bytes such as 10485760 or 10Mi, found '\(text)'")
            return nil
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard !overflow, bytes >= 4096 else {
            error(at: node.mark, "'\(key)' must be at least 4096 bytes (4Ki), found '\(text)'")
            return nil
        }
        return bytes
    }

    /// An absolute path; `~/` is the home directory.
    private mutating func absolutePath(_ node: YAMLNode, key: String) -> String? {
        guard let text = string(node, key: key) else { return nil }
        var path = text
        if path == "~" || path.hasPrefix("~/") {
            path = FloedConfig.homeDirectory(environment) + path.dropFirst()
        }
        guard path.hasPrefix("/") else {
            error(at: node.mark, "'\(key)' must be an absolute path (starting with '/' or '~/'), found '\(text)'")
            return nil
        }
        while path.count > 1 && path.hasSuffix("/") {
            path.removeLast()
        }
        return path
    }

    /// An IPv4 or IPv6 address to bind ingress listeners to.
    private mutating func ingressAddress(_ node: YAMLNode) -> String? {
        guard let text = string(node, key: "ingressAddress") else { return nil }
        var v4 = in_addr()
        var v6 = in6_addr()
        guard inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1 else {
            error(
                at: node.mark,
                "'ingressAddress' must be an IP address such as 127.0.0.1 or 0.0.0.0, found '\(text)'")
            return nil
        }
        return text
    }

    /// `N-M` (or one port `N`), within 1...65535.
    private mutating func portRange(_ node: YAMLNode, key: String) -> ClosedRange<Int>? {
        guard let text = string(node, key: key) else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard (1...2).contains(parts.count), let low = parts.first ?? nil, let high = parts.last ?? nil,
            1 <= low, low <= high, high <= 65535
        else {
            error(at: node.mark, "'\(key)' must be a port range such as 8400-8499 (ports 1 to 65535), found '\(text)'")
            return nil
        }
        return low...high
    }

    /// A list of absolute paths (a single path is a list of one).
    private mutating func pathList(_ node: YAMLNode, key: String) -> [String]? {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            return absolutePath(node, key: key).map { [$0] }
        }
        return items.compactMap { absolutePath($0, key: key) }
    }

    private mutating func socketPath(_ node: YAMLNode) -> String? {
        guard let path = absolutePath(node, key: "socket") else { return nil }
        if path.utf8.count > FloedConfig.maxSocketPathBytes {
            error(
                at: node.mark,
                "'socket' path is \(path.utf8.count) bytes, over the \(FloedConfig.maxSocketPathBytes) "
                    + "a Unix socket address can hold; choose a shorter path"
            )
            return nil
        }
        return path
    }

    private mutating func accountName(_ node: YAMLNode, key: String) -> String? {
        guard let text = string(node, key: key) else { return nil }
        guard FloedConfig.isValidAccountName(text) else {
            error(
                at: node.mark,
                "'\(key)' '\(text)' is not a user or group name: "
                    + "use 1 to 32 letters, digits, '_', '.' or '-', not starting with '-'"
            )
            return nil
        }
        return text
    }

    // MARK: Diagnostics

    private mutating func unknownKey(_ key: YAMLNode, known: [String], in context: String) {
        let name = key.scalar ?? ""
        var message = "unknown key '\(name)' in \(context)"
        if let close = Self.closest(to: name, among: known) {
            message += "; did you mean '\(close)'?"
        } else {
            message += "; known keys: \(known.joined(separator: ", "))"
        }
        error(at: key.mark, message)
    }

    private mutating func error(at mark: YAMLMark, _ message: String) {
        diagnostics.append(Diagnostic(.error, file: path, line: mark.line, column: mark.column, message: message))
    }

    /// The candidate `word` most likely meant: same letters ignoring case and `_`/`-`, or within
    /// an edit distance of 2 (and less than half the word).
    static func closest(to word: String, among candidates: [String]) -> String? {
        func folded(_ text: String) -> String { text.lowercased().filter { $0 != "_" && $0 != "-" } }
        if let same = candidates.first(where: { folded($0) == folded(word) }) {
            return same
        }
        let scored = candidates.map { ($0, editDistance(folded($0), folded(word))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= 2 && best.1 * 2 < max(word.count, 2) ? best.0 : nil
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
