import FloeCore
import FloeRuntime
import FloeSpec
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A temporary directory; call `remove()` (in a `defer`) when done.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        let path = base + "/floe-runtime-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        // Resolve symbolic links so that comparisons with what `pwd` prints hold.
        self.path = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Collects a container's exits and lets a test wait for the first one.
final class ExitRecorder: Sendable {
    private let exits = Mutex<[ContainerExit]>([])
    private let stream: AsyncStream<ContainerExit>
    private let continuation: AsyncStream<ContainerExit>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: ContainerExit.self)
    }

    var onExit: @Sendable (ContainerExit) -> Void {
        { [self] exit in
            exits.withLock { $0.append(exit) }
            continuation.yield(exit)
        }
    }

    var all: [ContainerExit] { exits.withLock { $0 } }

    /// Waits for the first exit (call once per recorder).
    func first() async -> ContainerExit? {
        for await exit in stream { return exit }
        return nil
    }
}

let testService = ObjectName("TEST_SERVICE")!
let basePath = "/usr/local/bin:/usr/bin:/bin"

func makeLaunch(
    _ argv: [String], in directory: TemporaryDirectory, environment: [String: String] = ["PATH": basePath],
    workingDirectory: String? = nil, log: String = "logs/main.log"
) -> ContainerLaunch {
    ContainerLaunch(
        service: testService, instanceID: 0, containerName: "main", argv: argv, environment: environment,
        workingDirectory: workingDirectory ?? directory.path, logFile: directory.file(log))
}

func readFile(_ path: String) -> String {
    (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

/// Waits (without a time assertion; with a generous cap so a broken test ends) until `condition` holds.
func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<1_200 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return condition()
}

/// True when `pid` no longer runs (gone, or a zombie waiting for its reaper).
func isGone(_ pid: Int32) -> Bool {
    guard let stat = ProcessTable.stat(pid: pid) else { return true }
    return stat.isZombie
}

/// A loopback TCP socket that listens but never accepts or answers.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketFD, $0, size) }
        }
        guard bound == 0, listen(socketFD, 16) == 0 else {
            close(socketFD)
            throw POSIXError(.EADDRINUSE)
        }
        var length = size
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socketFD, $0, &length) }
        }
        fd = socketFD
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
