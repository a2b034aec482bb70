import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// A bound `AF_UNIX` datagram socket standing in for systemd's notify socket or journald.
final class DatagramReceiver {
    /// The address to hand to the code under test (a path, or `@name` for the abstract namespace).
    let address: String
    private let descriptor: Int32
    private let directory: URL?

    /// Binds a socket in a fresh temporary directory, or in the abstract namespace.
    init(abstract: Bool = false) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ReceiverError("socket: errno \(errno)") }
        descriptor = fd
        let name: String
        if abstract {
            directory = nil
            name = "@floe-test-\(UUID().uuidString)"
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-sd-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            directory = dir
            name = dir.appendingPathComponent("sock").path
        }
        address = name
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        if abstract { bytes[0] = 0 }
        let length = withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: bytes)
            return MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1)
        }
        let result = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard result == 0 else { throw ReceiverError("bind \(name): errno \(errno)") }
        // A guard against a test hanging forever, not a timing assertion: senders have already
        // queued their datagram when send returns.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close(descriptor)
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }

    /// The next datagram.
    func receive() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard count >= 0 else { throw ReceiverError("recv: errno \(errno)") }
        return Array(buffer[..<count])
    }

    /// The next datagram as text.
    func receiveText() throws -> String {
        String(decoding: try receive(), as: UTF8.self)
    }

    /// True when no datagram is waiting.
    func isEmpty() -> Bool {
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, Int32(MSG_DONTWAIT) | Int32(MSG_PEEK))
        return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }
}

struct ReceiverError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
