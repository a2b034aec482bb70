import Foundation
import Synchronization
import Testing

/// Runs the real `floed` against a temporary stage, and the real `floectl` against it.
final class FloeHarness: @unchecked Sendable {
    /// True when floed can give instances their own network namespaces here: root, with iproute2 and
    /// nftables installed (as CI is).
    static let namespacesAvailable: Bool = {
        let found = { (name: String) in
            ["/usr/sbin", "/sbin", "/usr/bin", "/bin"].contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
            }
        }
        return getuid() == 0 && found("ip") && found("nft")
    }()

    let root: String
    let stage: String
    let state: String
    let socket: String
    let config: String
    private var daemon: Process?
    private(set) var daemonLog: String

    /// Where `swift build` put the binaries: beside the test bundle.
    static let binDirectory: String = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path,
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/debug").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: "\($0)/floed") } ?? candidates[1]
    }()

    init(name: String = #function) throws {
        let base = FileManager.default.temporaryDirectory.path
        root = "\(base)/floe-e2e-\(getpid())-\(UUID().uuidString.prefix(8))"
        stage = "\(root)/stage"
        state = "\(root)/state"
        socket = "\(root)/floed.sock"
        config = "\(root)/floed.yaml"
        daemonLog = "\(root)/floed.log"
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        chmod(root, 0o755)
        chmod(stage, 0o755)
        // Instances run as root unless a test says otherwise: CI has no `floe` user (SecurityEndToEndTests
        // covers the default user). The host network: these tests reach instances at 127.0.0.1
        // (NetworkEndToEndTests use namespaces).
        try "rescanSeconds: 2\ndefaultUser: root\nnetwork: host\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        Self.exitHook
        Self.live.withLock { _ = $0.insert(root) }
    }

    /// The directories of harnesses not torn down yet.
    private static let live = Mutex<Set<String>>([])

    /// Tests tear down in a task of their own (`defer { Task { await floe.tearDown() } }`), which the
    /// test process does not wait for: the last tests of a run (all of a `--filter` run of one test)
    /// would leave their floed and its instances running. At exit, whatever a harness started and did
    /// not stop is killed.
    private static let exitHook: Void = {
        atexit {
            for root in FloeHarness.live.withLock({ $0 }) {
                FloeHarness.killLeftovers(under: root)
                try? FileManager.default.removeItem(atPath: root)
            }
        }
    }()

    /// Starts floed (with `environment` added to the test's own) and waits until its socket answers.
    func start(environment extra: [String: String] = [:]) async throws {
        let process = try launchDaemon(environment: extra)
        daemon = process
        for _ in 0..<300 {
            if FileManager.default.fileExists(atPath: socket),
                (try? await ctl("services")).map({ $0.code == 0 }) == true
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("floed did not answer on \(socket) within 15 s; its log:\n\(self.log())")
        throw HarnessError.daemonDidNotStart
    }

    /// Starts floed and returns its process; its output goes to ``daemonLog``.
    func launchDaemon(environment extra: [String: String] = [:]) throws -> Process {
        // The shell does the redirection: no file handle of ours is shared with the child.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", "exec \"$0\" \"$@\" >>\"$FLOE_TEST_LOG\" 2>&1", "\(Self.binDirectory)/floed",
            "--stage", stage, "--state-dir", state, "--socket", socket, "--config", config, "--log-level", "debug",
            "--log-target", "stderr",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment.merge(extra) { _, new in new }
        environment["FLOE_TEST_LOG"] = daemonLog
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts floed expecting it to refuse to start: its exit status, or nil (and floed is killed) when
    /// it still runs after `timeout`.
    func startExpectingExit(timeout: Duration = .seconds(15)) async throws -> Int32? {
        let process = try launchDaemon()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    /// Stops floed (SIGTERM) and waits for it.
    func stopDaemon(signal: Int32 = SIGTERM) async {
        guard let daemon, daemon.isRunning else { return }
        kill(daemon.processIdentifier, signal)
        for _ in 0..<200 where daemon.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if daemon.isRunning {
            // A floed that ignores SIGTERM for 10 s is a bug; kill it rather than leave it running.
            Issue.record("floed did not stop within 10 s of signal \(signal); killed it")
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
        }
        self.daemon = nil
    }

    /// Kills every process started from this harness's directory (instances a killed floed left,
    /// helper servers), so that a failed test does not leave ports taken for the runs after it.
    func killLeftovers() {
        Self.killLeftovers(under: root)
    }

    /// Kills the processes whose command line names `root` (floed, helper servers) or whose working
    /// directory is under it (containers with a command and no image run in the stage directory).
    static func killLeftovers(under root: String) {
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return }
        for name in pids {
            guard let pid = Int32(name), pid != getpid() else { continue }
            let cmdline = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") ?? Data()
            let cwd = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(name)/cwd")) ?? ""
            guard String(decoding: cmdline, as: UTF8.self).contains(root) || cwd.hasPrefix(root + "/") else {
                continue
            }
            kill(pid, SIGKILL)
        }
    }

    var daemonPID: Int32? { daemon?.processIdentifier }

    func log() -> String { (try? String(contentsOfFile: daemonLog, encoding: .utf8)) ?? "" }

    /// Removes every stage file, waits for floed to stop everything, stops floed, deletes the temp dir.
    func tearDown() async {
        if daemon != nil {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: stage)) ?? [] {
                unlink("\(stage)/\(file)")
            }
            for _ in 0..<200 {
                if let out = try? await ctl("services", "--json"),
                    out.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]"
                {
                    break
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
            await stopDaemon()
        }
        killLeftovers()
        try? FileManager.default.removeItem(atPath: root)
        Self.live.withLock { _ = $0.remove(root) }
    }

    /// Writes a stage file the way editors and floectl apply do: temp file, then rename.
    func drop(_ name: String, _ content: String, mode: mode_t = 0o644) throws {
        let temp = "\(stage)/.\(name).tmp"
        try content.write(toFile: temp, atomically: false, encoding: .utf8)
        chmod(temp, mode)
        guard rename(temp, "\(stage)/\(name)") == 0 else { throw HarnessError.io("rename \(name)") }
    }

    func remove(_ name: String) {
        unlink("\(stage)/\(name)")
    }

    struct Output {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs floectl with `--socket` pointing at this floed.
    @discardableResult
    func ctl(_ arguments: String...) async throws -> Output {
        try await run("\(Self.binDirectory)/floectl", arguments, socket: true)
    }

    /// Runs floectl with `input` on its stdin and without `FLOE_SOCKET`: only `arguments` say where
    /// floed is.
    @discardableResult
    func ctlWithoutSocket(input: String? = nil, _ arguments: String...) async throws -> Output {
        try await run("\(Self.binDirectory)/floectl", arguments, input: input)
    }

    /// Runs `executable`; `socket` sets `FLOE_SOCKET` to this floed's socket (else it is removed),
    /// and `input` is written to its stdin.
    func run(_ executable: String, _ arguments: [String], socket: Bool = false, input: String? = nil) async throws
        -> Output
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        var env = ProcessInfo.processInfo.environment
        env["FLOE_SOCKET"] = socket ? self.socket : nil
        process.environment = env
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let stdin = Pipe()
        process.standardOutput = out
        process.standardError = err
        if input != nil { process.standardInput = stdin }
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        async let stdoutData = Task.detached { out.fileHandleForReading.readDataToEndOfFile() }.value
        async let stderrData = Task.detached { err.fileHandleForReading.readDataToEndOfFile() }.value
        let (o, e) = await (stdoutData, stderrData)
        process.waitUntilExit()
        return Output(
            code: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    /// `floectl status NAME` decoded.
    func status(_ name: String) async throws -> [[String: Any]] {
        let out = try await ctl("status", name)
        guard out.code == 0, let data = out.stdout.data(using: .utf8),
            let rows = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { throw HarnessError.io("status \(name): \(out.stderr)") }
        return rows
    }

    /// Polls `condition` until it holds (or fails the test after `timeout`).
    func eventually(
        _ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record(
            "timed out waiting for: \(what)\n--- floed log (tail) ---\n\(log().suffix(4000))",
            sourceLocation: sourceLocation)
        throw HarnessError.timeout(what)
    }
}

enum HarnessError: Error {
    case daemonDidNotStart
    case timeout(String)
    case io(String)
}

/// True while a process with this pid exists.
func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

/// The pids of processes whose command line contains `marker`.
func pids(matching marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry), pid != getpid(),
            let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline")
        else { return nil }
        let command = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return command.contains(marker) ? pid : nil
    }
}
