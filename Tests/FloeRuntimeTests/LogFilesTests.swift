import FloeCore
import FloeRuntime
import Foundation
import Testing

@Suite struct LogFilesTests {
    private func numberedLines(_ range: ClosedRange<Int>) -> String {
        range.map { "line \($0)\n" }.joined()
    }

    @Test func tailReturnsTheLastLines() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("a.log")
        try numberedLines(1...1_000).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(LogFiles.tail(path: path, lines: 3) == "line 998\nline 999\nline 1000\n")
        #expect(LogFiles.tail(path: path, lines: 1) == "line 1000\n")
        #expect(LogFiles.tail(path: path, lines: 5_000) == numberedLines(1...1_000))
        #expect(LogFiles.tail(path: path, lines: 0) == "")
    }

    @Test func tailReadsAcrossChunksOfALargeFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("big.log")
        try numberedLines(1...100_000).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(LogFiles.tail(path: path, lines: 10_000) == numberedLines(90_001...100_000))
    }

    @Test func tailHandlesAMissingFinalNewlineAndMissingFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("partial.log")
        try "one\ntwo\nthree".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(LogFiles.tail(path: path, lines: 2) == "two\nthree")
        #expect(LogFiles.tail(path: dir.file("missing.log"), lines: 2) == "")
        try "".write(toFile: dir.file("empty.log"), atomically: true, encoding: .utf8)
        #expect(LogFiles.tail(path: dir.file("empty.log"), lines: 2) == "")
    }

    @Test func enforceLimitKeepsTheNewestHalfFromALineBoundary() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("capped.log")
        let content = numberedLines(1...1_000)
        try content.write(toFile: path, atomically: true, encoding: .utf8)
        let size = content.utf8.count
        #expect(!LogFiles.enforceLimit(path: path, maxBytes: size))
        #expect(LogFiles.enforceLimit(path: path, maxBytes: 4_000))
        let kept = readFile(path)
        #expect(kept.utf8.count <= 2_000)
        #expect(kept.utf8.count > 1_900)
        #expect(content.hasSuffix(kept))
        #expect(kept.hasPrefix("line "))
        #expect(kept.hasSuffix("line 1000\n"))
        #expect(!LogFiles.enforceLimit(path: dir.file("missing.log"), maxBytes: 10))
    }

    @Test func enforceLimitKeepsAppendingWritersWorking() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("live.log")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        // An O_APPEND writer like a container's stdout.
        let fd = open(path, O_WRONLY | O_APPEND)
        defer { close(fd) }
        let text = Array(numberedLines(1...500).utf8)
        _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        #expect(LogFiles.enforceLimit(path: path, maxBytes: 1_000))
        let after = Array("after cap\n".utf8)
        _ = after.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let content = readFile(path)
        #expect(content.hasSuffix("line 500\nafter cap\n"))
        #expect(content.utf8.count < 1_000)
    }

    @Test func openForNewRunCreatesDirectoriesAndRotates() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("x/y/z.log")
        let fd1 = try LogFiles.openForNewRun(path: path)
        close(fd1)
        // An empty log is not kept as "previous".
        let fd2 = try LogFiles.openForNewRun(path: path)
        _ = Array("run two\n".utf8).withUnsafeBytes { write(fd2, $0.baseAddress, $0.count) }
        close(fd2)
        #expect(!FileManager.default.fileExists(atPath: LogFiles.previousPath(of: path)))
        let fd3 = try LogFiles.openForNewRun(path: path)
        close(fd3)
        #expect(readFile(LogFiles.previousPath(of: path)) == "run two\n")
        #expect(readFile(path) == "")
    }

    @Test func openForNewRunReportsAnUnusableDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "not a directory".write(toFile: dir.file("file"), atomically: true, encoding: .utf8)
        #expect(throws: ContainerStartError.self) {
            _ = try LogFiles.openForNewRun(path: dir.file("file/sub/c.log"))
        }
    }
}

@Suite struct ProcessTableTests {
    @Test func parsesAStatLineWithAnAwkwardCommandName() {
        let line =
            "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n"
        let stat = ProcessStat(statLine: Array(line.utf8))
        #expect(stat?.pid == 4242)
        #expect(stat?.state == UInt8(ascii: "S"))
        #expect(stat?.parentPID == 1)
        #expect(stat?.processGroup == 4242)
        #expect(stat?.session == 4242)
        #expect(stat?.startTicks == 987_654)
        #expect(stat?.isZombie == false)
        #expect(ProcessStat(statLine: Array("garbage".utf8)) == nil)
    }

    @Test func findsItself() throws {
        let me = try #require(ProcessTable.stat(pid: getpid()))
        #expect(me.pid == getpid())
        #expect(me.parentPID == getppid())
        #expect(ProcessTable.all().contains { $0.pid == getpid() })
        #expect(ProcessTable.stat(pid: -1) == nil)
    }
}

@Suite struct ExecutableLookupTests {
    @Test func resolvesLikeAShell() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(
            try ExecutableLookup.resolve("sh", workingDirectory: dir.path, environment: ["PATH": "/nonexistent:/bin"])
                == "/bin/sh")
        #expect(try ExecutableLookup.resolve("/bin/sh", workingDirectory: dir.path, environment: [:]) == "/bin/sh")
        #expect(throws: ContainerStartError.executableNotFound("sh")) {
            _ = try ExecutableLookup.resolve("sh", workingDirectory: dir.path, environment: ["PATH": "/nonexistent"])
        }
        // A directory is not a program.
        try FileManager.default.createDirectory(atPath: dir.file("tool"), withIntermediateDirectories: true)
        #expect(throws: ContainerStartError.executableNotFound("tool")) {
            _ = try ExecutableLookup.resolve("tool", workingDirectory: dir.path, environment: ["PATH": dir.path])
        }
    }
}
