import Foundation
import Synchronization
import Testing

/// A bound `AF_UNIX` datagram socket standing in for systemd's `NOTIFY_SOCKET`: it records every
/// message floed sends, in order.
final class NotifyListener: Sendable {
    /// The socket path to give floed as `NOTIFY_SOCKET`.
    let path: String
    private let descriptor: Int32
    private let received = Mutex<[String]>([])

    init(path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.io("socket: errno \(errno)") }
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: storage.sun_path) else {
            close(fd)
            throw HarnessError.io("socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw HarnessError.io("bind \(path): errno \(errno)")
        }
        self.path = path
        self.descriptor = fd
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    /// Every message received so far (`KEY=value` lines), oldest first.
    var messages: [String] {
        drain()
        return received.withLock { $0 }
    }

    /// Reads what is queued without blocking.
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes {
                recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
            }
            guard count > 0 else { return }
            let text = String(decoding: buffer[..<count], as: UTF8.self)
            received.withLock { $0.append(text) }
        }
    }

    /// Waits (up to `timeout`) until some message at index `from` or later satisfies `condition`;
    /// returns its index. Records an issue and throws when none arrives.
    @discardableResult
    func waitFor(
        _ what: String, from start: Int = 0, timeout: Duration = .seconds(10),
        sourceLocation: SourceLocation = #_sourceLocation, _ condition: (String) -> Bool
    ) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while true {
            let all = messages
            if start < all.count, let index = all[start...].firstIndex(where: condition) {
                return index
            }
            if ContinuousClock.now >= deadline {
                Issue.record(
                    "no \(what) within \(timeout) (from message \(start)); received:\n\(all.joined(separator: "---\n"))",
                    sourceLocation: sourceLocation)
                throw HarnessError.timeout(what)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension String {
    /// The `KEY=value` lines of a notify message, as a dictionary.
    var notifyFields: [String: String] {
        var fields: [String: String] = [:]
        for line in split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            fields[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return fields
    }
}
