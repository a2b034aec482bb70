#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// One line of `/proc/<pid>/stat`, reduced to what floe needs to find and identify processes.
public struct ProcessStat: Sendable, Hashable {
    public var pid: Int32
    /// The state letter (field 3): `R`, `S`, `D`, `Z` (zombie), `X` (dead), …
    public var state: UInt8
    public var parentPID: Int32
    public var processGroup: Int32
    public var session: Int32
    /// Start time in clock ticks since boot (field 22).
    public var startTicks: UInt64

    /// True when the process has ended and only waits to be reaped (or is being torn down).
    public var isZombie: Bool { state == UInt8(ascii: "Z") || state == UInt8(ascii: "X") }

    /// Parses the text of `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may itself
    /// contain spaces and parentheses, so parsing starts after the last `)`.
    public init?(statLine bytes: [UInt8]) {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")),
            let close = bytes.lastIndex(of: UInt8(ascii: ")")), open < close
        else { return nil }
        let pidText = String(decoding: bytes[..<open], as: UTF8.self).trimmingSpaces
        guard let pid = Int32(pidText) else { return nil }
        let rest = bytes[(close + 1)...].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        // rest[0] is field 3 (state); field n is rest[n - 3].
        guard rest.count >= 20, let state = rest[0].first,
            let ppid = Int32(String(decoding: rest[1], as: UTF8.self)),
            let pgrp = Int32(String(decoding: rest[2], as: UTF8.self)),
            let session = Int32(String(decoding: rest[3], as: UTF8.self)),
            let start = UInt64(String(decoding: rest[19], as: UTF8.self))
        else { return nil }
        self.pid = pid
        self.state = state
        self.parentPID = ppid
        self.processGroup = pgrp
        self.session = session
        self.startTicks = start
    }
}

/// Reads the kernel's process table under `/proc` (Linux).
public enum ProcessTable {
    /// The stat line of one process, or nil when there is no such process.
    public static func stat(pid: Int32) -> ProcessStat? {
        guard pid > 0, let bytes = readSmallFile("/proc/\(pid)/stat") else { return nil }
        return ProcessStat(statLine: bytes)
    }

    /// Every process currently listed in `/proc` (including zombies).
    public static func all() -> [ProcessStat] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var result: [ProcessStat] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> String in
                let bytes = raw.prefix { $0 != 0 }
                return String(decoding: bytes, as: UTF8.self)
            }
            guard let pid = Int32(name), let stat = stat(pid: pid) else { continue }
            result.append(stat)
        }
        return result
    }

    /// Reads a small file (such as a `/proc` entry) whole; nil when it cannot be opened.
    static func readSmallFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\n" { scalars.removeLast() }
        return String(scalars)
    }
}
