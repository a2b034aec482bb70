import Foundation
import Glibc
import Testing

@testable import FloeDaemon

@Suite struct AtomicFileTests {
    func entries(_ directory: WatchTestDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func writesTheWholeContentAndLeavesNoTemporaryFile() throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("state.json")
        let content = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try AtomicFile.write(content, to: path)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == content)
        #expect(try entries(directory) == ["state.json"])
    }

    @Test func replacesAnExistingFile() throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("state.json")
        try AtomicFile.write(Array("a much longer first version".utf8), to: path)
        var before = stat()
        #expect(stat(path, &before) == 0)
        try AtomicFile.write(Data("second".utf8), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
        var after = stat()
        #expect(stat(path, &after) == 0)
        #expect(after.st_ino != before.st_ino)
        #expect(try entries(directory) == ["state.json"])
    }

    @Test func appliesTheModeExactly() throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        try AtomicFile.write([1, 2, 3], to: directory.file("private"))
        try AtomicFile.write([1, 2, 3], to: directory.file("shared"), mode: 0o664)
        var info = stat()
        #expect(stat(directory.file("private"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(directory.file("shared"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o664)
    }

    @Test func writesAnEmptyFile() throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        try AtomicFile.write([], to: directory.file("empty"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("empty"))).isEmpty)
    }

    @Test func missingDirectoryIsATypedErrorNamingThePath() throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let path = directory.file("missing/state.json")
        let error = #expect(throws: AtomicFileError.self) { try AtomicFile.write([1], to: path) }
        #expect(error?.path == path)
        #expect(error?.step == .createTemporary)
        #expect(error?.errno == ENOENT)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains("No such file or directory") == true)
    }

    @Test func failedRenameRemovesTheTemporaryFile() throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        // A non-empty directory cannot be replaced by a file.
        try FileManager.default.createDirectory(
            atPath: directory.file("target/inner"), withIntermediateDirectories: true)
        let error = #expect(throws: AtomicFileError.self) { try AtomicFile.write([1], to: directory.file("target")) }
        #expect(error?.step == .rename)
        #expect(try entries(directory) == ["target"])
    }

    @Test func relativePathsUseTheCurrentDirectory() {
        #expect(AtomicFile.split("state.json") == (".", "state.json"))
        #expect(AtomicFile.split("/state.json") == ("/", "state.json"))
        #expect(AtomicFile.split("/var/lib/floe/x.json") == ("/var/lib/floe", "x.json"))
    }
}
