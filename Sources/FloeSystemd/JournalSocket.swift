#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends ``JournalEntry`` records to journald's native socket (or any socket that speaks its protocol,
/// such as a test's), one datagram per record.
///
/// floed speaks the protocol itself instead of calling libsystemd's `sd_journal_sendv`, which always
/// writes to `/run/systemd/journal/socket`: this way the code that runs in production is the code the
/// tests check against a socket they bind. A record too large for one datagram is sent again with
/// each value cut to ``truncatedValueBytes`` bytes (journald's memfd hand-over is not used).
public final class JournalSocket: Sendable {
    /// Where journald listens for native-protocol records.
    public static let defaultPath = "/run/systemd/journal/socket"

    /// How much of each value is kept when a record is too large for one datagram.
    public static let truncatedValueBytes = 16 * 1024

    private let socket: UnixDatagramSocket?
    private let openError: UnixSocketError?

    /// The socket path records go to.
    public let path: String

    /// Opens a socket for sending to `path`. Opening does not fail: a socket that cannot be opened
    /// makes every ``send(_:)`` throw.
    public init(path: String = JournalSocket.defaultPath) {
        self.path = path
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
