import FloeCore
import FloeRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// True when namespaces can be made here (root, with `ip` installed).
let canMakeNamespaces =
    geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
    || geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/sbin/ip")

/// A network namespace made for one test; `remove()` deletes it.
struct TestNamespace {
    let name: String

    init() throws {
        name = "floetest-rt-\(UUID().uuidString.prefix(8).lowercased())"
        guard shell("ip netns add \(name)") == 0 else { throw POSIXError(.EPERM) }
    }

    func remove() {
        _ = shell("ip netns delete \(name)")
    }

    /// The namespace's identity as `/proc/PID/ns/net` shows it (`net:[inode]`).
    var identity: String {
        var info = stat()
        guard stat("/run/netns/\(name)", &info) == 0 else { return "" }
        return "net:[\(info.st_ino)]"
    }
}

@discardableResult
func shell(_ command: String) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite struct NamespaceLaunchTests {
    @Test func argvWrapsTheProgramInIPNetnsExec() throws {
        let argv = try NamespaceLaunch.argv(
            namespace: "floe0-web-0", user: nil, executable: "/usr/bin/python3", arguments: ["-m", "http.server"])
        #expect(argv.first?.hasSuffix("/ip") == true)
        #expect(Array(argv.dropFirst()) == ["netns", "exec", "floe0-web-0", "/usr/bin/python3", "-m", "http.server"])
    }

    @Test func argvSwitchesUserWithSetprivAfterEnteringTheNamespace() throws {
        let argv = try NamespaceLaunch.argv(
            namespace: "ns", user: UserIdentity(uid: 1000, gid: 1001), executable: "/bin/sleep", arguments: ["5"])
        #expect(Array(argv[1...3]) == ["netns", "exec", "ns"])
        #expect(argv[4].hasSuffix("/setpriv"))
        #expect(Array(argv[5...]) == ["--reuid=1000", "--regid=1001", "--groups=1001", "--", "/bin/sleep", "5"])
    }

    @Test(.enabled(if: canMakeNamespaces, "needs root and iproute2 to make a network namespace"))
    func runsInTheNamespaceWithTheSamePid() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let namespace = try TestNamespace()
        defer { namespace.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        var launch = makeLaunch(["sleep", "1000"], in: dir)
        launch.networkNamespace = namespace.name
        let handle = try await runtime.start(launch, onExit: { _ in })
        // ip and setpriv exec: the handle's pid becomes the program itself, inside the namespace.
        #expect(
            await eventually {
                (try? String(contentsOfFile: "/proc/\(handle.pid)/comm", encoding: .utf8)) == "sleep\n"
            })
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(handle.pid)/ns/net")
        #expect(link == namespace.identity)
        let stat = try #require(ProcessTable.stat(pid: handle.pid))
        #expect(stat.session == handle.pid)
        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(!runtime.isAlive(handle))
    }

    @Test(.enabled(if: canMakeNamespaces, "needs root and iproute2 to make a network namespace"))
    func runsAsTheUserInsideTheNamespace() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o755)
        let namespace = try TestNamespace()
        defer { namespace.remove() }
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let recorder = ExitRecorder()
        var launch = makeLaunch(["sh", "-c", "id -u; id -g; id -G; readlink /proc/self/ns/net"], in: dir)
        launch.user = UserIdentity(uid: 65_534, gid: 65_534)
        launch.networkNamespace = namespace.name
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        #expect(readFile(launch.logFile) == "65534\n65534\n65534\n\(namespace.identity)\n")
    }
}
