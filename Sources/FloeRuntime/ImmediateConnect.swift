import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TCP connect tried once, without waiting: to an address on this machine the kernel has usually
/// settled it by the time the `connect` call returns (a non-blocking connect says "in progress", but the
/// answer to the SYN, a SYN-ACK or a reset, has been handled when the call released the socket), so a
/// zero-timeout `poll` and `SO_ERROR` tell a connection from a refusal.
///
/// Probes use it before NIO's own connect: a refusal (a container that does not listen yet, which is
/// what most probes of a starting instance meet) then costs three system calls instead of a NIO channel
/// with its pipeline, promises and connect-timeout timer; and a connection made at once is handed to
/// NIO as it is. Anything else (the connect is under way, an unexpected error) is left to NIO's connect.
enum ImmediateConnect {
    enum Outcome: Equatable {
        /// Connected: a non-blocking socket to hand to NIO (the caller owns it).
        case connected(Int32)
        /// Refused at once: nothing listens there.
        case refused
        /// Neither: connect through NIO.
        case undecided
    }

    static func attempt(_ address: SocketAddress) -> Outcome {
        #if os(Linux)
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
            let type = SOCK_STREAM
        #endif
        let fd = socket(Int32(address.protocol.rawValue), type, 0)
        guard fd >= 0 else { return .undecided }
        #if !os(Linux)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #endif
        let result = address.withSockAddr { pointer, size in connect(fd, pointer, socklen_t(size)) }
        var code = result == 0 ? 0 : errno
        if code == EINPROGRESS { code = settled(fd) ?? EINPROGRESS }
        if code == 0 { return .connected(fd) }
        close(fd)
        return code == ECONNREFUSED ? .refused : .undecided
    }

    /// The outcome of a connect in progress if it is known now (0: connected; else the error), or nil.
    private static func settled(_ fd: Int32) -> Int32? {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&entry, 1, 0) == 1 else { return nil }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 else { return nil }
        return error
    }
}
