import CSystemd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends ``JournalEntry`` records to the systemd journal, or to any socket that speaks its native
/// protocol (such as a test's), one record at a time.
///
/// For the default path (``defaultPath``, journald's socket) records go through libsystemd's
/// `sd_journal_sendv`, which also hands records too large for one datagram over in a memfd. For any
/// other path (tests bind one) floed writes the native protocol itself, one datagram per record; a
/// record too large for one datagram is sent again with each value cut to ``truncatedValueBytes``
/// bytes. Both paths send the same fields (``JournalEntry``).
public final class JournalSocket: Sendable {
    /// Where journald listens for native-protocol records.
    public static let defaultPath = "/run/systemd/journal/socket"

    /// How much of each value is kept when a record is too large for one datagram.
    public static let truncatedValueBytes = 16 * 1024

    private let socket: UnixDatagramSocket?
    private let openError: UnixSocketError?

    /// The socket path records go to.
    public let path: String

    /// True when records go through libsystemd's `sd_journal_sendv` (the path is ``defaultPath``).
    public var usesLibsystemd: Bool { path == Self.defaultPath }

    /// Prepares sending to `path`. Opening does not fail: a socket that cannot be opened makes every
    /// ``send(_:)`` throw.
    public init(path: String = JournalSocket.defaultPath) {
        self.path = path
        if path == Self.defaultPath {
            socket = nil
            openError = nil
            return
        }
        do {
            socket = try UnixDatagramSocket(address: path)
            openError = nil
        } catch {
            socket = nil
            openError = error
        }
    }

    /// Sends one record. Throws when journald (or whatever listens at ``path``) cannot be reached.
    public func send(_ entry: JournalEntry) throws(JournalSocketError) {
        if usesLibsystemd {
            // libsystemd drops records silently when journald is not there (ENOENT); floed falls back
            // to stderr instead, so it checks first.
            guard access(path, F_OK) == 0 else {
                throw JournalSocketError(path: path, detail: String(cString: strerror(errno)))
            }
            let result = Self.sendThroughLibsystemd(entry)
            if result < 0 {
                throw JournalSocketError(path: path, detail: String(cString: strerror(-result)))
            }
            return
        }
        guard let socket else {
            throw JournalSocketError(path: path, detail: openError?.description ?? "socket unusable")
        }
        do {
            try socket.send(entry.encoded())
        } catch let error where error.errno == EMSGSIZE || error.errno == ENOBUFS {
            do {
                try socket.send(Self.truncated(entry).encoded())
            } catch {
                throw JournalSocketError(path: path, detail: error.description)
            }
        } catch {
            throw JournalSocketError(path: path, detail: error.description)
        }
    }

    /// `sd_journal_sendv` with one `NAME=value` vector per field (values may hold line breaks:
    /// libsystemd encodes them). Returns its result: negative `errno` on failure.
    static func sendThroughLibsystemd(_ entry: JournalEntry) -> Int32 {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for (name, value) in entry.fields {
            let start = bytes.count
            bytes.append(contentsOf: name.utf8)
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: value.utf8)
            ranges.append(start..<bytes.count)
        }
        guard !ranges.isEmpty else { return 0 }
        return bytes.withUnsafeMutableBytes { buffer in
            let vectors = ranges.map { range in
                iovec(iov_base: buffer.baseAddress.map { $0 + range.lowerBound }, iov_len: range.count)
            }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }

    static func truncated(_ entry: JournalEntry) -> JournalEntry {
        var result = JournalEntry()
        for (name, value) in entry.fields {
            if value.utf8.count > truncatedValueBytes {
                let kept = String(decoding: value.utf8.prefix(truncatedValueBytes), as: UTF8.self)
                result.append(name, kept + " … (truncated)")
            } else {
                result.append(name, value)
            }
        }
        return result
    }
}

/// journald (or the socket standing in for it) could not be reached.
public struct JournalSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var detail: String

    public var description: String {
        "cannot log to the journal at \(path): \(detail); "
            + "use log.target: stderr in floed.yaml if journald is not running"
    }
}
