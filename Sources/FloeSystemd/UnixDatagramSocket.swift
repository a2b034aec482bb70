#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An unconnected `AF_UNIX` datagram socket that sends to a named address: the transport of both
/// the systemd notification protocol and the journal's native protocol.
///
/// `sendto(2)` on one datagram socket is safe from many threads at once, so the type is `Sendable`.
final class UnixDatagramSocket: Sendable {
    /// An address as systemd writes it: an absolute path, or `@name` for the abstract namespace.
    let address: String
    private let descriptor: Int32

    /// Opens the socket. Throws when `address` is not a usable `AF_UNIX` address or no socket can be made.
    init(address: String) throws(UnixSocketError) {
        guard address.hasPrefix("/") || address.hasPrefix("@") else {
            throw UnixSocketError(
                address: address, errno: 0,
                reason: "is not an absolute path or an abstract '@name' socket address")
        }
        guard address.utf8.count < Self.maxPathBytes else {
            throw UnixSocketError(
                address: address, errno: 0,
                reason: "is longer than the \(Self.maxPathBytes - 1) bytes an AF_UNIX address may have")
        }
        #if canImport(Darwin)
            let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #else
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard fd >= 0 else {
            throw UnixSocketError(address: address, errno: errno, reason: "could not open a datagram socket")
        }
        self.address = address
        self.descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Sends `bytes` as one datagram. Throws with the `errno` of a failed send (e.g. `EMSGSIZE`,
    /// `ENOENT` when nothing listens at the address).
    func send(_ bytes: [UInt8]) throws(UnixSocketError) {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(address.utf8)
        if pathBytes.first == UInt8(ascii: "@") {
            pathBytes[0] = 0
        }
        let length = withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \.sun_path) ?? 2
            // Abstract addresses are not NUL-terminated: their length is exact. Paths get their NUL.
            return pathOffset + pathBytes.count + (pathBytes.first == 0 ? 0 : 1)
        }
        let sent = bytes.withUnsafeBytes { payload in
            withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    sendto(descriptor, payload.baseAddress, payload.count, Self.sendFlags, address, socklen_t(length))
                }
            }
        }
        if sent < 0 {
            throw UnixSocketError(address: address, errno: errno, reason: "could not send")
        }
    }

    private static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path)

    #if canImport(Darwin)
        private static let sendFlags: Int32 = 0
    #else
        private static let sendFlags = Int32(MSG_NOSIGNAL)
    #endif
}

/// A failure to open or send on an `AF_UNIX` socket.
struct UnixSocketError: Error, Sendable, Hashable, CustomStringConvertible {
    var address: String
    /// The `errno` of the failed call, 0 when the address itself is the problem.
    var errno: Int32
    var reason: String

    var description: String {
        if errno == 0 {
            return "socket address '\(address)' \(reason)"
        }
        return "\(reason) to socket '\(address)': \(String(cString: strerror(errno)))"
    }
}
