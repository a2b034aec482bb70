import FloeNetwork
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// Root and both tools: real namespaces can be made.
let canManageNetworks: Bool = {
    guard geteuid() == 0, case .success = NetworkTools.find() else { return false }
    return true
}()

/// Runs a shell command; its output (stdout and stderr) and exit status.
@discardableResult
func sh(_ command: String) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    process.standardInput = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return (-1, "") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// What of a bridge's objects exists on the host now (empty when nothing is left).
func leftovers(bridge: String) -> [String] {
    var found: [String] = []
    let names = NetworkNames(bridge: bridge)
    for line in sh("ip netns list").output.split(separator: "\n") {
        if let name = line.split(separator: " ").first, names.isOwnNamespace(String(name)) {
            found.append("namespace \(name)")
        }
    }
    for line in sh("ip -o link show").output.split(separator: "\n") {
        let fields = line.split(separator: ":", maxSplits: 2)
        guard fields.count >= 2 else { continue }
        let name = String(fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
        if name == bridge || names.isOwnVeth(name) { found.append("link \(name)") }
    }
    if sh("nft list tables").output.split(separator: "\n").contains("table inet \(bridge)") {
        found.append("table inet \(bridge)")
    }
    return found
}

/// A logger that prints nothing.
let quietLogger: Logger = {
    var logger = Logger(label: "floe.network.tests")
    logger.logLevel = .critical
    return logger
}()

/// A netns directory for a test (instead of /etc/netns, so tests leave nothing there).
func temporaryNetnsDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.path + "/floe-netns-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Sends one UDP datagram to 127.0.0.1:`port` and waits up to 3 s for the answer.
func udpExchange(_ packet: [UInt8], host: String = "127.0.0.1", port: Int) -> [UInt8]? {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var timeout = timeval(tv_sec: 3, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr(host)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let sent = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            sendto(fd, packet, packet.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard sent == packet.count else { return nil }
    var buffer = [UInt8](repeating: 0, count: 1500)
    let count = recv(fd, &buffer, buffer.count, 0)
    return count > 0 ? Array(buffer.prefix(count)) : nil
}

/// An A query for `name`.
func aQuery(_ name: String, id: UInt16 = 0x4242) -> [UInt8] {
    var packet: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
    for label in name.split(separator: ".") {
        packet.append(UInt8(label.utf8.count))
        packet += Array(label.utf8)
    }
    return packet + [0, 0, 1, 0, 1]
}

/// The A records' addresses of a response (answers follow the one question; names are pointers).
func answerAddresses(_ response: [UInt8]) -> [String] {
    guard response.count >= 12 else { return [] }
    let answers = Int(response[6]) << 8 | Int(response[7])
    var offset = 12
    while offset < response.count, response[offset] != 0 { offset += Int(response[offset]) + 1 }
    offset += 5
    var result: [String] = []
    for _ in 0..<answers {
        guard offset + 16 <= response.count else { break }
        result.append(response[offset + 12..<offset + 16].map(String.init).joined(separator: "."))
        offset += 16
    }
    return result
}
