#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process holding a listening socket.
public struct PortHolder: Sendable, Hashable, CustomStringConvertible {
    public var pid: Int32
    /// The process's command name (`/proc/<pid>/comm`), empty when it could not be read.
    public var command: String

    public init(pid: Int32, command: String) {
        self.pid = pid
        self.command = command
    }

    public var description: String { command.isEmpty ? "pid \(pid)" : "pid \(pid) (\(command))" }
}

/// Who listens on a TCP port of this host (Linux, from `/proc/net/tcp` and `/proc/net/tcp6`), so that a
/// container that cannot get its port can wait with a message naming the holder. Instances share the
/// host network, so the port table of floed's network namespace is the containers' one.
public enum ListeningPorts {
    /// True when some socket listens on TCP `port` (on any address, IPv4 or IPv6).
    public static func isListening(tcpPort port: Int) -> Bool {
        !listeningInodes(tcpPort: port).isEmpty
    }

    /// The processes that hold a socket listening on TCP `port`. Reads every process's open file
    /// descriptors, so call it when there is a conflict to explain, not on every reconcile. Processes
    /// whose descriptors floed may not read (another user's, when floed is not root) are missing; the
    /// result can then be empty although ``isListening(tcpPort:)`` is true.
    public static func holders(ofTCPPort port: Int) -> [PortHolder] {
        let inodes = listeningInodes(tcpPort: port)
        guard !inodes.isEmpty else { return [] }
        var holders: [PortHolder] = []
        for stat in ProcessTable.all() where !stat.isZombie && holdsSocket(pid: stat.pid, inodes: inodes) {
            holders.append(PortHolder(pid: stat.pid, command: command(of: stat.pid)))
        }
        return holders.sorted { $0.pid < $1.pid }
    }

    /// Socket inodes in state LISTEN on `port`.
    static func listeningInodes(tcpPort port: Int) -> Set<UInt64> {
        var inodes: Set<UInt64> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let bytes = ProcessTable.readSmallFile(table) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst() {
                if let inode = listeningInode(line: line, port: port) { inodes.insert(inode) }
            }
        }
        return inodes
    }

    /// Parses one line of `/proc/net/tcp{,6}`: `sl local_address rem_address st … uid timeout inode …`,
    /// where `local_address` is `HEXADDR:HEXPORT` and state `0A` is LISTEN.
    static func listeningInode(line: Substring, port: Int) -> UInt64? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 10, fields[3] == "0A",
            let colon = fields[1].lastIndex(of: ":"),
            let localPort = Int(fields[1][fields[1].index(after: colon)...], radix: 16), localPort == port,
            let inode = UInt64(fields[9]), inode != 0
        else { return nil }
        return inode
    }

    static func holdsSocket(pid: Int32, inodes: Set<UInt64>) -> Bool {
        let directory = "/proc/\(pid)/fd"
        guard let dir = opendir(directory) else { return false }
        defer { closedir(dir) }
        var target = [CChar](repeating: 0, count: 64)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name.first?.isNumber == true else { continue }
            let count = readlink(directory + "/" + name, &target, target.count - 1)
            guard count > 0 else { continue }
            let link = String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard link.hasPrefix("socket:["), link.hasSuffix("]"),
                let inode = UInt64(link.dropFirst("socket:[".count).dropLast())
            else { continue }
            if inodes.contains(inode) { return true }
        }
        return false
    }

    static func command(of pid: Int32) -> String {
        guard let bytes = ProcessTable.readSmallFile("/proc/\(pid)/comm") else { return "" }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }
}
