import Foundation
import Glibc

/// A blocking HTTP/1.1 client on a raw socket, so that tests control the connection: keep-alive,
/// chunked uploads, and the bytes after a protocol switch.
final class TestClient: @unchecked Sendable {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, host: String = "127.0.0.1") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        // A safety net against a hung test, not a timing assertion.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw TestFailure("cannot connect to \(host):\(port)")
        }
    }

    deinit { close(fd) }

    func send(_ text: String) async throws { try await send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) async throws {
        try await onThread { try self.sendNow(bytes) }
    }

    private func sendNow(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send failed") }
            offset += n
        }
    }

    /// Sends a request with `Host` and an optional body (Content-Length).
    func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> Response {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test.local\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        let bytes = Array(text.utf8) + (body ?? [])
        return try await onThread {
            try self.sendNow(bytes)
            return try self.readResponseNow()
        }
    }

    /// Reads more bytes; false at the end of the stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw TestFailure("recv failed (errno \(errno))") }
        if n == 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    func readLine() throws -> String {
        while true {
            if let i = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = buffer[..<i]
                buffer.removeFirst(i + 1)
                return String(decoding: line, as: UTF8.self).trimmingCharacters(in: .init(charactersIn: "\r"))
            }
            guard try fill() else { throw TestFailure("connection closed while reading a line") }
        }
    }

    func readBytes(_ count: Int) async throws -> [UInt8] {
        try await onThread { try self.readBytesNow(count) }
    }

    private func readBytesNow(_ count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw TestFailure("connection closed after \(buffer.count) of \(count) bytes") }
        }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    func readHead() async throws -> (Int, [String: String]) {
        try await onThread { try self.readHeadNow() }
    }

    private func readHeadNow() throws -> (Int, [String: String]) {
        let status = try readLine()
        let parts = status.split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]) else { throw TestFailure("bad status line '\(status)'") }
        var headers: [String: String] = [:]
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        return (code, headers)
    }

    func readResponse() async throws -> Response {
        try await onThread { try self.readResponseNow() }
    }

    private func readResponseNow() throws -> Response {
        let (status, headers) = try readHeadNow()
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
                    throw TestFailure("bad chunk size '\(sizeLine)'")
                }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                body += try readBytesNow(size)
                _ = try readLine()
            }
        } else if let length = headers["content-length"].flatMap(Int.init) {
            body = try readBytesNow(length)
        } else if status != 101 && status != 204 && status != 304 {
            while try fill() {}
            body = buffer
            buffer = []
        }
        return Response(status: status, headers: headers, body: body)
    }
}

/// Runs blocking socket work on a thread of its own: blocking a thread of Swift's cooperative pool
/// would starve the ingress's own tasks (the backend lookups) on a small machine.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.start()
    }
}
