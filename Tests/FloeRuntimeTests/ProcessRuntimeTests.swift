import FloeCore
import FloeRuntime
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ProcessRuntimeTests {
    let runtime = ProcessRuntime(pollInterval: .milliseconds(10))

    @Test func reportsExitCode() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let handle = try await runtime.start(makeLaunch(["sh", "-c", "exit 3"], in: dir), onExit: recorder.onExit)
        #expect(handle.pid > 0)
        #expect(handle.processGroup == handle.pid)
        let exit = await recorder.first()
        #expect(exit == ContainerExit(exitCode: 3, signal: nil))
        #expect(exit?.code == 3)
    }

    @Test func reportsKillingSignal() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        _ = try await runtime.start(makeLaunch(["sh", "-c", "kill -9 $$"], in: dir), onExit: recorder.onExit)
        let exit = await recorder.first()
        #expect(exit == ContainerExit(exitCode: nil, signal: SIGKILL))
        #expect(exit?.code == 137)
    }

    @Test func environmentIsExactlyTheLaunchEnvironment() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let launch = makeLaunch(
            ["env"], in: dir, environment: ["PATH": basePath, "FOO": "bar baz", "SNOWFLAKE_SERVICE_NAME": "TEST"])
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        let lines = readFile(launch.logFile).split(separator: "\n").map(String.init).sorted()
        #expect(lines == ["FOO=bar baz", "PATH=\(basePath)", "SNOWFLAKE_SERVICE_NAME=TEST"])
    }

    @Test func runsInTheWorkingDirectoryWithStdinFromDevNull() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let work = dir.file("work")
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let recorder = ExitRecorder()
        let launch = makeLaunch(
            ["sh", "-c", "pwd; readlink /proc/self/fd/0; echo to-stderr >&2"], in: dir, workingDirectory: work)
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        #expect(readFile(launch.logFile) == "\(work)\n/dev/null\nto-stderr\n")
    }

    @Test func signalsStartAtTheirDefaultsAndUnblocked() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // floed (like many servers) ignores SIGPIPE; its containers must not inherit that.
        _ = signal(SIGPIPE, SIG_IGN)
        let recorder = ExitRecorder()
        let launch = makeLaunch(["grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"], in: dir)
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        // Masks of signals 1...31 (32 and 33 are glibc's own, which no process can reset).
        let masks = readFile(launch.logFile).split(separator: "\n").map { line in
            UInt64(line.split(separator: "\t").last ?? "", radix: 16).map { $0 & 0x7fff_ffff }
        }
        #expect(masks == [0, 0])
    }

    @Test func noDescriptorOfFloedIsInherited() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A descriptor floed opened without O_CLOEXEC (a library may) must not reach the container.
        let marker = dir.file("leak-marker")
        #expect(FileManager.default.createFile(atPath: marker, contents: Data()))
        let leaky = open(marker, O_RDONLY)
        #expect(leaky > 2)
        defer { close(leaky) }
        let recorder = ExitRecorder()
        let launch = makeLaunch(["sh", "-c", "ls -l /proc/$$/fd/; echo end"], in: dir)
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        let listing = readFile(launch.logFile)
        #expect(listing.hasSuffix("end\n"))
        #expect(!listing.contains("leak-marker"))
    }

    @Test func exitsAreReportedForManyContainersEndingTogether() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // One watcher thread reaps every container: 100 exits at once, each reported once with its code.
        let recorders = (0..<100).map { _ in ExitRecorder() }
        for (i, recorder) in recorders.enumerated() {
            _ = try await runtime.start(
                makeLaunch(["sh", "-c", "sleep 0.2; exit \(i % 50)"], in: dir, log: "logs/\(i).log"),
                onExit: recorder.onExit)
        }
        for (i, recorder) in recorders.enumerated() {
            #expect(await recorder.first() == ContainerExit(exitCode: Int32(i % 50), signal: nil))
            #expect(recorder.all.count == 1)
        }
    }

    @Test func relativeProgramPathIsResolvedAgainstTheWorkingDirectory() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = dir.file("hello.sh")
        try "#!/bin/sh\necho hello \"$1\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        let recorder = ExitRecorder()
        let launch = makeLaunch(["./hello.sh", "world"], in: dir)
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        #expect(readFile(launch.logFile) == "hello world\n")
    }

    @Test func programIsLookedUpInTheContainersPath() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let bin = dir.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\necho from-private-bin\n".write(
            toFile: bin + "/floe-test-tool", atomically: true, encoding: .utf8)
        chmod(bin + "/floe-test-tool", 0o755)
        let recorder = ExitRecorder()
        let launch = makeLaunch(["floe-test-tool"], in: dir, environment: ["PATH": "\(bin):\(basePath)"])
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        #expect(readFile(launch.logFile) == "from-private-bin\n")
    }

    @Test func missingExecutableIsReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        await #expect(throws: ContainerStartError.executableNotFound("no-such-program-floe")) {
            _ = try await runtime.start(makeLaunch(["no-such-program-floe"], in: dir), onExit: { _ in })
        }
        await #expect(throws: ContainerStartError.executableNotFound("./missing.sh")) {
            _ = try await runtime.start(makeLaunch(["./missing.sh"], in: dir), onExit: { _ in })
        }
        // A file that exists but is not executable counts as missing too.
        try "echo hi\n".write(toFile: dir.file("plain.sh"), atomically: true, encoding: .utf8)
        chmod(dir.file("plain.sh"), 0o644)
        await #expect(throws: ContainerStartError.executableNotFound("./plain.sh")) {
            _ = try await runtime.start(makeLaunch(["./plain.sh"], in: dir), onExit: { _ in })
        }
        // Executable but not a program the kernel can run (no `#!` line).
        try "echo hi\n".write(toFile: dir.file("noshebang.sh"), atomically: true, encoding: .utf8)
        chmod(dir.file("noshebang.sh"), 0o755)
        await #expect(throws: ContainerStartError.executableNotFound("./noshebang.sh")) {
            _ = try await runtime.start(makeLaunch(["./noshebang.sh"], in: dir), onExit: { _ in })
        }
        await #expect(throws: ContainerStartError.executableNotFound("")) {
            _ = try await runtime.start(makeLaunch([], in: dir), onExit: { _ in })
        }
    }

    @Test func missingWorkingDirectoryIsReported() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let missing = dir.file("not-there")
        await #expect(throws: ContainerStartError.workingDirectoryMissing(missing)) {
            _ = try await runtime.start(makeLaunch(["sh", "-c", "true"], in: dir, workingDirectory: missing)) { _ in }
        }
    }

    @Test func logsLandInTheFileAndThePreviousRunIsKept() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = makeLaunch(["sh", "-c", "echo first run; echo first error >&2"], in: dir, log: "a/b/c.log")
        let recorder1 = ExitRecorder()
        _ = try await runtime.start(first, onExit: recorder1.onExit)
        #expect(await recorder1.first()?.succeeded == true)
        #expect(readFile(first.logFile) == "first run\nfirst error\n")

        let second = makeLaunch(["sh", "-c", "echo second run"], in: dir, log: "a/b/c.log")
        let recorder2 = ExitRecorder()
        _ = try await runtime.start(second, onExit: recorder2.onExit)
        #expect(await recorder2.first()?.succeeded == true)
        #expect(readFile(second.logFile) == "second run\n")
        #expect(readFile(LogFiles.previousPath(of: second.logFile)) == "first run\nfirst error\n")

        let attributes = try FileManager.default.attributesOfItem(atPath: second.logFile)
        #expect((attributes[.posixPermissions] as? Int) == 0o640)
    }

    @Test func isAliveFollowsTheProcessAndChecksStartTime() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let handle = try await runtime.start(makeLaunch(["sleep", "1000"], in: dir), onExit: recorder.onExit)
        #expect(handle.startTicks > 0)
        #expect(runtime.isAlive(handle))
        var recycled = handle
        recycled.startTicks += 1
        #expect(!runtime.isAlive(recycled))

        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(!runtime.isAlive(handle))
        #expect(recorder.all == [ContainerExit(exitCode: nil, signal: SIGTERM)])
    }

    @Test func stopGivesAChildThatTrapsTermItsGrace() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let script = "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done"
        let launch = makeLaunch(["sh", "-c", script], in: dir)
        let handle = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await eventually { readFile(launch.logFile).contains("ready") })

        await runtime.stop(handle, grace: .seconds(30))
        // onExit has been called by the time stop returns, exactly once.
        #expect(recorder.all == [ContainerExit(exitCode: 7, signal: nil)])
        #expect(readFile(launch.logFile).contains("got-term"))
        #expect(!runtime.isAlive(handle))
    }

    @Test func stopKillsAChildThatIgnoresTermAfterTheGrace() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let script = "trap '' TERM; echo ready; while :; do sleep 0.05; done"
        let launch = makeLaunch(["sh", "-c", script], in: dir)
        let handle = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await eventually { readFile(launch.logFile).contains("ready") })

        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(recorder.all == [ContainerExit(exitCode: nil, signal: SIGKILL)])
        #expect(!runtime.isAlive(handle))
    }

    @Test func noGrandchildSurvivesStop() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let pidFile = dir.file("grandchild.pid")
        let launch = makeLaunch(["sh", "-c", "sleep 1000 & echo $! > \(pidFile); wait"], in: dir)
        let handle = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await eventually { Int32(readFile(pidFile).trimmingCharacters(in: .whitespacesAndNewlines)) != nil })
        let grandchild = try #require(Int32(readFile(pidFile).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(!isGone(grandchild))
        #expect(ProcessTable.stat(pid: grandchild)?.processGroup == handle.processGroup)

        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(isGone(grandchild))
        #expect(recorder.all.count == 1)
    }

    @Test func aGrandchildInItsOwnSessionDoesNotSurviveStopWhileItsParentLives() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let pidFile = dir.file("escaper.pid")
        let launch = makeLaunch(["sh", "-c", "setsid sleep 1000 & echo $! > \(pidFile); wait"], in: dir)
        let handle = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await eventually { Int32(readFile(pidFile).trimmingCharacters(in: .whitespacesAndNewlines)) != nil })
        let escaper = try #require(Int32(readFile(pidFile).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await eventually { ProcessTable.stat(pid: escaper)?.session == escaper })

        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(isGone(escaper))
    }

    @Test func stopWorksWithoutBeingTheParent() async throws {
        // A container left by "a previous floed run": here a session leader started by a container that
        // has already exited, so this runtime never was its parent and holds no record of it.
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let pidFile = dir.file("orphan.pid")
        let recorder = ExitRecorder()
        let launch = makeLaunch(
            ["sh", "-c", "setsid sh -c 'echo $$ > \(pidFile); sleep 1000 & wait' > /dev/null 2>&1 &"], in: dir)
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        #expect(await eventually { Int32(readFile(pidFile).trimmingCharacters(in: .whitespacesAndNewlines)) != nil })
        let orphan = try #require(Int32(readFile(pidFile).trimmingCharacters(in: .whitespacesAndNewlines)))
        let stat = try #require(ProcessTable.stat(pid: orphan))
        #expect(stat.session == orphan)
        let handle = ContainerHandle(pid: orphan, processGroup: orphan, startTicks: stat.startTicks)
        #expect(runtime.isAlive(handle))

        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(!runtime.isAlive(handle))
        #expect(ProcessTable.all().filter { !$0.isZombie && $0.session == orphan }.isEmpty)
    }

    @Test func stopOfAnEndedContainerReturns() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let handle = try await runtime.start(makeLaunch(["true"], in: dir), onExit: recorder.onExit)
        _ = await recorder.first()
        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(recorder.all.count == 1)
        #expect(!runtime.isAlive(handle))
    }

    @Test func manyContainersStartAndStopConcurrently() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let count = 30
        let recorders = (0..<count).map { _ in ExitRecorder() }
        let handles = try await withThrowingTaskGroup(of: ContainerHandle.self) { group in
            for index in 0..<count {
                let launch = makeLaunch(["sh", "-c", "sleep 1000 & wait"], in: dir, log: "logs/\(index).log")
                let onExit = recorders[index].onExit
                group.addTask { try await runtime.start(launch, onExit: onExit) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(handles.map(\.pid)).count == count)
        await withTaskGroup(of: Void.self) { group in
            for handle in handles {
                group.addTask { await runtime.stop(handle, grace: .milliseconds(300)) }
            }
        }
        #expect(handles.allSatisfy { !runtime.isAlive($0) })
        #expect(recorders.allSatisfy { $0.all.count == 1 })
        #expect(
            ProcessTable.all().filter { stat in !stat.isZombie && handles.contains { $0.pid == stat.session } }.isEmpty)
    }

    @Test func containerIsASessionLeader() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let recorder = ExitRecorder()
        let handle = try await runtime.start(makeLaunch(["sleep", "1000"], in: dir), onExit: recorder.onExit)
        let stat = try #require(ProcessTable.stat(pid: handle.pid))
        #expect(stat.session == handle.pid)
        #expect(stat.processGroup == handle.pid)
        await runtime.stop(handle, grace: .milliseconds(300))
    }
}

@Suite struct ProcessRuntimeUserTests {
    @Test(.enabled(if: ProcessRuntime.isPrivileged))
    func runsAsTheConfiguredUserWhenRoot() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o755)
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let recorder = ExitRecorder()
        var launch = makeLaunch(["sh", "-c", "id -u; id -g; id -G"], in: dir)
        launch.user = UserIdentity(uid: 65_534, gid: 65_534)
        let handle = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        #expect(readFile(launch.logFile) == "65534\n65534\n65534\n")
        #expect(handle.processGroup == handle.pid)
        #expect(!runtime.isAlive(handle))
    }

    /// The user's supplementary groups (what initgroups would give it) are applied, not just its gid.
    @Test(.enabled(if: ProcessRuntime.isPrivileged))
    func runsWithTheUsersSupplementaryGroups() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o755)
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        let recorder = ExitRecorder()
        var launch = makeLaunch(["sh", "-c", "id -u; id -G"], in: dir)
        launch.user = UserIdentity(uid: 65_534, gid: 65_534, groups: [65_534, 1, 4])
        _ = try await runtime.start(launch, onExit: recorder.onExit)
        #expect(await recorder.first()?.succeeded == true)
        #expect(readFile(launch.logFile) == "65534\n65534 1 4\n")
    }

    @Test(.enabled(if: ProcessRuntime.isPrivileged))
    func aUserContainerIsStillASessionLeader() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o755)
        let runtime = ProcessRuntime(pollInterval: .milliseconds(10))
        var launch = makeLaunch(["sleep", "1000"], in: dir)
        launch.user = UserIdentity(uid: 65_534, gid: 65_534)
        let handle = try await runtime.start(launch, onExit: { _ in })
        let stat = try #require(ProcessTable.stat(pid: handle.pid))
        #expect(stat.session == handle.pid)
        #expect(stat.processGroup == handle.pid)
        await runtime.stop(handle, grace: .milliseconds(300))
        #expect(!runtime.isAlive(handle))
    }
}
