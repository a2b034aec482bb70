import Foundation
import Glibc
import Testing

@testable import FloeDaemon

private struct RecordedObject: Codable, Hashable {
    var name: String
    var digest: String
    var instances: [Int]
    var suspended: Bool
}

@Suite struct StateDirectoryTests {
    fileprivate let sample = RecordedObject(
        name: "MY_SERVICE", digest: "sha256:abc", instances: [0, 1, 2], suspended: false)

    @Test func createsTheRootPrivately() throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let root = parent.file("var/lib/floe")
        let store = try StateDirectory(root: root)
        #expect(store.root == root)
        var info = stat()
        #expect(stat(root, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        // Opening again is fine.
        _ = try StateDirectory(root: root + "/")
    }

    @Test func roundTrip() throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let store = try StateDirectory(root: parent.file("state"))
        let key = StateKey(folder: "objects", name: "MY_SERVICE")
        #expect(try store.load(RecordedObject.self, key: key) == nil)
        try store.save(sample, as: key)
        #expect(try store.load(RecordedObject.self, key: key) == sample)

        var changed = sample
        changed.suspended = true
        try store.save(changed, as: key)
        #expect(try store.load(RecordedObject.self, key: key) == changed)

        let path = store.path(for: key)
        #expect(path == parent.file("state/objects/MY_SERVICE.json"))
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(parent.file("state/objects"), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    @Test func keysListsOneFolderSorted() throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let store = try StateDirectory(root: parent.file("state"))
        #expect(try store.keys(in: "jobs").isEmpty)
        for name in ["NEWS_JOB", "A_JOB", "B$JOB"] {
            try store.save(sample, as: StateKey(folder: "jobs", name: name))
        }
        try store.save(sample, as: StateKey("objects/MY_SERVICE")!)
        // Leftovers that are not documents.
        try Data("x".utf8).write(to: URL(fileURLWithPath: parent.file("state/jobs/.A_JOB.json.123.tmp")))
        try Data("x".utf8).write(
            to: URL(fileURLWithPath: parent.file("state/jobs/OLD.json.corrupt-20260101T000000.000Z")))
        #expect(try store.keys(in: "jobs").map(\.description) == ["jobs/A_JOB", "jobs/B$JOB", "jobs/NEWS_JOB"])
        #expect(try store.keys(in: "objects") == [StateKey(folder: "objects", name: "MY_SERVICE")])
    }

    @Test func removeDeletesAndToleratesMissing() throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let store = try StateDirectory(root: parent.file("state"))
        let key = StateKey(folder: "instances", name: "MY_SERVICE")
        try store.save([1, 2, 3], as: key)
        try store.remove(key: key)
        #expect(try store.load([Int].self, key: key) == nil)
        #expect(try store.keys(in: "instances").isEmpty)
        try store.remove(key: key)
    }

    @Test(arguments: ["not json", "{\"name\": \"MY_SERVICE\"}", ""])
    func corruptFileIsMovedAsideAndReported(_ content: String) throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let store = try StateDirectory(root: parent.file("state"))
        let key = StateKey(folder: "objects", name: "BROKEN")
        try store.save(sample, as: key)
        try Data(content.utf8).write(to: URL(fileURLWithPath: store.path(for: key)))

        let error = #expect(throws: StateDirectoryError.self) { try store.load(RecordedObject.self, key: key) }
        guard case .corrupt(let reported, let movedTo, let reason)? = error else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
            return
        }
        #expect(reported == key)
        #expect(!reason.isEmpty)
        let aside = try #require(movedTo)
        #expect(aside.hasPrefix(store.path(for: key) + ".corrupt-"))
        // Not lost: the bad content is kept aside, and the key is free again.
        #expect(try String(contentsOfFile: aside, encoding: .utf8) == content)
        #expect(try store.load(RecordedObject.self, key: key) == nil)
        #expect(try store.keys(in: "objects").isEmpty)
        #expect(error?.description.contains(aside) == true)
    }

    @Test func twoCorruptionsKeepBothCopies() throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let store = try StateDirectory(root: parent.file("state"))
        let key = StateKey(folder: "objects", name: "BROKEN")
        var asides: Set<String> = []
        for content in ["first", "second"] {
            try FileManager.default.createDirectory(
                atPath: parent.file("state/objects"), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: URL(fileURLWithPath: store.path(for: key)))
            do {
                _ = try store.load(RecordedObject.self, key: key)
                Issue.record("corrupt content loaded")
            } catch {
                if case .corrupt(_, let movedTo?, _) = error { asides.insert(movedTo) }
            }
        }
        #expect(asides.count == 2)
    }

    @Test(arguments: [
        StateKey(folder: "objects", name: ""), StateKey(folder: "", name: "X"),
        StateKey(folder: "objects", name: "../X"),
        StateKey(folder: "..", name: "X"), StateKey(folder: "objects", name: ".hidden"),
        StateKey(folder: "objects", name: "a/b"), StateKey(folder: "objects", name: String(repeating: "A", count: 201)),
    ])
    func invalidKeysAreRefused(_ key: StateKey) throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let store = try StateDirectory(root: parent.file("state"))
        #expect(throws: StateDirectoryError.self) { try store.save(1, as: key) }
        #expect(throws: StateDirectoryError.self) { try store.load(Int.self, key: key) }
        #expect(throws: StateDirectoryError.self) { try store.remove(key: key) }
    }

    @Test func keyParsing() {
        #expect(StateKey("objects/MY_SERVICE") == StateKey(folder: "objects", name: "MY_SERVICE"))
        #expect(StateKey("objects") == nil)
        #expect(StateKey("a/b/c") == nil)
        #expect(StateKey(folder: "jobs", name: "NEWS_JOB").description == "jobs/NEWS_JOB")
    }

    @Test func unreadableRootIsATypedError() throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        try Data("file".utf8).write(to: URL(fileURLWithPath: parent.file("plain")))
        #expect(throws: StateDirectoryError.self) { try StateDirectory(root: parent.file("plain")) }
        #expect(throws: StateDirectoryError.self) { try StateDirectory(root: parent.file("plain/state")) }
    }
}
