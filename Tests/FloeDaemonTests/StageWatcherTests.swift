import Foundation
import Glibc
import Testing

@testable import FloeDaemon

// MARK: Helpers

/// A fresh directory under the temporary directory, removed by `cleanUp()`.
struct WatchTestDirectory {
    let path: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/floe-watch-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}

struct WatchTestFailure: Error, CustomStringConvertible {
    var description: String
}

/// Writes `text` to `path` with open/write/close (truncating), like `cat > path`.
func writeTestFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw WatchTestFailure(description: "open \(path): errno \(errno)") }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count else {
        throw WatchTestFailure(description: "write \(path): errno \(errno)")
    }
}

/// Consumes a watcher's events in a task and hands them out one at a time, failing when none arrives within
/// the limit (a "nothing happened" guard, not a timing assertion).
actor StageEventRecorder {
    private var events: [StageEvent] = []
    private var finished = false

    init(_ stream: AsyncStream<StageEvent>) {
        Task { [weak self] in
            for await event in stream { await self?.append(event) }
            await self?.markFinished()
        }
    }

    private func append(_ event: StageEvent) { events.append(event) }
    private func markFinished() { finished = true }

    /// The next event; throws when none arrives within `limit` or the stream ended.
    func next(within limit: Duration = .seconds(10)) async throws -> StageEvent {
        let deadline = ContinuousClock.now + limit
        while true {
            if !events.isEmpty { return events.removeFirst() }
            if finished { throw WatchTestFailure(description: "the event stream ended") }
            if ContinuousClock.now >= deadline { throw WatchTestFailure(description: "no event within \(limit)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Events up to and including the first one matching `predicate`.
    func collect(until predicate: @Sendable (StageEvent) -> Bool) async throws -> [StageEvent] {
        var collected: [StageEvent] = []
        while true {
            let event = try await next()
            collected.append(event)
            if predicate(event) { return collected }
        }
    }

    /// Waits until the stream has ended.
    func waitForEnd(within limit: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + limit
        while !finished {
            if ContinuousClock.now >= deadline { throw WatchTestFailure(description: "the stream did not end") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

extension StageEvent {
    fileprivate var changedNames: Set<String>? {
        if case .changed(let names) = self { return names }
        return nil
    }

    fileprivate var snapshot: StageSnapshot? {
        if case .rescan(let snapshot) = self { return snapshot }
        return nil
    }

    fileprivate var problem: StageWatchError? {
        if case .problem(let problem) = self { return problem }
        return nil
    }

    fileprivate func mentions(_ name: String) -> Bool {
        changedNames?.contains(name) ?? snapshot?.changed.contains(name) ?? false
    }
}

/// Starts a watcher on `directory` and returns it with its recorder and the initial snapshot.
func startTestWatcher(
    _ directory: String,
    rescanInterval: Duration = .seconds(3600),
    settle: Duration = .milliseconds(10)
) async throws -> (StageWatcher, StageEventRecorder, StageSnapshot) {
    let watcher = StageWatcher(directory: directory, rescanInterval: rescanInterval, settle: settle)
    let recorder = StageEventRecorder(watcher.events())
    guard let initial = try await recorder.next().snapshot else {
        watcher.finish()
        throw WatchTestFailure(description: "the first event was not a snapshot")
    }
    return (watcher, recorder, initial)
}

// MARK: The stage file filter

@Suite struct StageFileFilterTests {
    @Test(arguments: ["service.yaml", "job.yml", "a.yaml", "MY_SERVICE.yaml", "x~.yaml", "with space.yaml"])
    func acceptsStageFiles(_ name: String) {
        #expect(StageWatcher.isStageFile(name))
    }

    @Test(arguments: [
        "", ".yaml", ".yml", ".hidden.yaml", "service.yaml~", ".service.yaml.swp", "service.yaml.swp",
        "service.yaml.swx", "service.yaml.tmp", "4913", "#service.yaml#", ".#service.yaml", "#service.yaml",
        "service.json", "service.yaml.bak", "README", "service.YAML", "a/b.yaml",
    ])
    func rejectsOtherNames(_ name: String) {
        #expect(!StageWatcher.isStageFile(name))
    }
}

// MARK: Coalescing rules, without I/O

@Suite struct StageChangeTrackerTests {
    let start = ContinuousClock.now
    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    @Test func vimStyleSaveIsOneChange() {
        var tracker = StageChangeTracker(
            settle: .milliseconds(10), maximumDelay: .milliseconds(250), removalSettle: .milliseconds(100))
        // rename x.yaml away (backup), create x.yaml, write, close, chmod.
        #expect(tracker.record(.removed, on: "x.yaml", at: at(0)) == .deferred)
        #expect(tracker.record(.writeStarted, on: "x.yaml", at: at(1)) == .deferred)
        #expect(tracker.nextDeadline == nil)
        #expect(tracker.takeDue(at: at(50)).isEmpty)
        #expect(tracker.record(.writeCompleted, on: "x.yaml", at: at(60)) == .deferred)
        #expect(tracker.record(.attributesChanged, on: "x.yaml", at: at(61)) == .deferred)
        #expect(tracker.takeDue(at: at(65)).isEmpty)
        #expect(tracker.nextDeadline == at(71))
        #expect(tracker.takeDue(at: at(71)) == ["x.yaml"])
        #expect(tracker.takeDue(at: at(200)).isEmpty)
        #expect(tracker.unsettled.isEmpty)
    }

    @Test func writeInProgressIsHeldUntilClosed() {
        var tracker = StageChangeTracker(
            settle: .milliseconds(10), maximumDelay: .milliseconds(250), removalSettle: .milliseconds(100))
        _ = tracker.record(.writeStarted, on: "big.yaml", at: at(0))
        _ = tracker.record(.writeCompleted, on: "small.yaml", at: at(1))
        _ = tracker.record(.writeStarted, on: "big.yaml", at: at(2))
        #expect(tracker.takeDue(at: at(1000)) == ["small.yaml"])
        #expect(tracker.unsettled == ["big.yaml"])
        #expect(tracker.nextDeadline == nil)
        _ = tracker.record(.writeCompleted, on: "big.yaml", at: at(2000))
        #expect(tracker.takeDue(at: at(2001)).isEmpty)
        #expect(tracker.takeDue(at: at(2010)) == ["big.yaml"])
    }

    @Test func renameIsReportedAtOnceAndItsChmodAbsorbed() {
        var tracker = StageChangeTracker(
            settle: .milliseconds(10), maximumDelay: .milliseconds(250), removalSettle: .milliseconds(100))
        #expect(tracker.record(.renamedIn, on: "x.yaml", at: at(0)) == .reportNow)
        #expect(tracker.record(.attributesChanged, on: "x.yaml", at: at(1)) == .absorbed)
        #expect(tracker.nextDeadline == nil)
        // A later chmod is a change of its own.
        #expect(tracker.record(.attributesChanged, on: "x.yaml", at: at(500)) == .deferred)
        #expect(tracker.takeDue(at: at(510)) == ["x.yaml"])
    }

    @Test func removalWaitsForTheRemovalSettleTime() {
        var tracker = StageChangeTracker(
            settle: .milliseconds(10), maximumDelay: .milliseconds(250), removalSettle: .milliseconds(100))
        _ = tracker.record(.removed, on: "gone.yaml", at: at(0))
        _ = tracker.record(.writeCompleted, on: "new.yaml", at: at(1))
        #expect(tracker.nextDeadline == at(11))
        #expect(tracker.takeDue(at: at(11)) == ["new.yaml"])
        #expect(tracker.nextDeadline == at(100))
        #expect(tracker.takeDue(at: at(50)).isEmpty)
        #expect(tracker.takeDue(at: at(100)) == ["gone.yaml"])
        #expect(tracker.unsettled.isEmpty)
    }

    @Test func editorDescheduledBetweenRenameAndCreateIsStillOneChange() {
        var tracker = StageChangeTracker(
            settle: .milliseconds(10), maximumDelay: .milliseconds(250), removalSettle: .milliseconds(100))
        _ = tracker.record(.removed, on: "x.yaml", at: at(0))
        // Well past `settle`, but within the removal time: no deletion is reported.
        #expect(tracker.takeDue(at: at(40)).isEmpty)
        _ = tracker.record(.writeStarted, on: "x.yaml", at: at(40))
        _ = tracker.record(.writeCompleted, on: "x.yaml", at: at(45))
        #expect(tracker.takeDue(at: at(55)) == ["x.yaml"])
        #expect(tracker.takeDue(at: at(500)).isEmpty)
    }

    @Test func continuousActivityIsCappedByTheMaximumDelay() {
        var tracker = StageChangeTracker(
            settle: .milliseconds(10), maximumDelay: .milliseconds(100), removalSettle: .milliseconds(100))
        var reports: [Set<String>] = []
        for step in 0..<50 {
            _ = tracker.record(.writeCompleted, on: "x.yaml", at: at(step * 5))
            let due = tracker.takeDue(at: at(step * 5))
            if !due.isEmpty { reports.append(due) }
        }
        #expect(reports.count >= 2)
        #expect(reports.allSatisfy { $0 == ["x.yaml"] })
    }

    @Test func abandonedWritesAreFinishedByAScan() {
        var tracker = StageChangeTracker(
            settle: .milliseconds(10), maximumDelay: .milliseconds(250), removalSettle: .milliseconds(100))
        _ = tracker.record(.writeStarted, on: "linked.yaml", at: at(0))
        tracker.finishWrites(quietSince: at(-1), at: at(100))
        #expect(tracker.unsettled == ["linked.yaml"])
        tracker.finishWrites(quietSince: at(50), at: at(100))
        #expect(tracker.takeDue(at: at(110)) == ["linked.yaml"])
    }
}

// MARK: Platform pieces

@Suite struct InotifyDecodingTests {
    /// One `struct inotify_event` record: 16-byte header, then the name padded with NULs to `length`.
    func record(watch: Int32, mask: Int32, name: [UInt8], length: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: watch.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(bitPattern: mask).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: UInt32(0)) { bytes += $0 }
        withUnsafeBytes(of: UInt32(length).littleEndian) { bytes += $0 }
        return bytes + name + Array(repeating: 0, count: length - name.count)
    }

    @Test func decodesNamesOverflowAndInvalidUTF8() {
        let buffer =
            record(watch: 1, mask: IN_CLOSE_WRITE, name: Array("x.yaml".utf8), length: 16)
            + record(watch: -1, mask: IN_Q_OVERFLOW, name: [], length: 0)
            + record(watch: 1, mask: IN_MOVED_TO, name: [0x61, 0xFF, 0x2E, 0x79, 0x6D, 0x6C], length: 8)
            + record(watch: 1, mask: IN_DELETE_SELF, name: [], length: 0)
        var events: [InotifyEvent] = []
        buffer.withUnsafeBytes { Inotify.decode($0, into: &events) }
        #expect(events.count == 4)
        #expect(events[0] == InotifyEvent(watch: 1, mask: UInt32(IN_CLOSE_WRITE), name: "x.yaml"))
        #expect(events[1].watch == -1)
        #expect(events[1].has(IN_Q_OVERFLOW))
        #expect(events[1].name == "")
        #expect(events[2].name == nil)
        #expect(events[3].has(IN_DELETE_SELF))
        #expect(!events[3].has(IN_IGNORED))
    }

    @Test func truncatedRecordIsNotRead() {
        let buffer = Array(record(watch: 1, mask: IN_CREATE, name: Array("a.yaml".utf8), length: 16).prefix(10))
        var events: [InotifyEvent] = []
        buffer.withUnsafeBytes { Inotify.decode($0, into: &events) }
        #expect(events.isEmpty)
    }

    @Test func pollTimeoutsRoundUp() {
        let now = ContinuousClock.now
        #expect(StageWatchLoop.milliseconds(until: now, from: now) == 0)
        #expect(StageWatchLoop.milliseconds(until: now - .seconds(1), from: now) == 0)
        #expect(StageWatchLoop.milliseconds(until: now + .microseconds(1), from: now) == 1)
        #expect(StageWatchLoop.milliseconds(until: now + .milliseconds(20), from: now) == 20)
        #expect(StageWatchLoop.milliseconds(until: now + .seconds(3), from: now) == 3000)
        #expect(StageWatchLoop.milliseconds(until: now + .seconds(Int64.max / 2), from: now) == Int32.max)
    }
}

// MARK: The watcher on real directories

@Suite struct StageWatcherTests {
    @Test func firstScanListsExistingStageFilesOnly() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        for name in ["a.yaml", "b.yml", ".hidden.yaml", "a.yaml~", "notes.txt", "4913"] {
            try writeTestFile(directory.file(name), "x: 1\n")
        }
        try FileManager.default.createDirectory(atPath: directory.file("dir.yaml"), withIntermediateDirectories: false)
        symlink(directory.file("a.yaml"), directory.file("link.yaml"))
        symlink(directory.file("missing.yaml"), directory.file("dangling.yaml"))

        let (watcher, _, initial) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }
        #expect(initial.reason == .initial)
        #expect(initial.isInitial)
        #expect(Set(initial.files.keys) == ["a.yaml", "b.yml", "link.yaml"])
        #expect(initial.changed == ["a.yaml", "b.yml", "link.yaml"])
        #expect(initial.files["a.yaml"]?.size == 5)
        #expect(initial.files["link.yaml"]?.inode == initial.files["a.yaml"]?.inode)
        #expect(initial.problem == nil)
    }

    @Test func writeAndCloseIsOneChange() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let (watcher, recorder, initial) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }
        #expect(initial.files.isEmpty)

        try writeTestFile(directory.file("x.yaml"), "spec: {}\n")
        try writeTestFile(directory.file("sentinel.yaml"), "done\n")
        let events = try await recorder.collect { $0.mentions("sentinel.yaml") }
        #expect(events.filter { $0.mentions("x.yaml") }.count == 1)
        #expect(events.allSatisfy { $0.changedNames != nil })
    }

    @Test func chunkedWriteIsReportedOnceAfterClose() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let (watcher, recorder, _) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }

        let path = directory.file("x.yaml")
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        #expect(fd >= 0)
        for chunk in ["spec:\n", "  containers:\n", "  - name: main\n"] {
            _ = chunk.withCString { write(fd, $0, strlen($0)) }
        }
        // While x.yaml is open, a complete file is reported and x.yaml is not.
        try writeTestFile(directory.file("sentinel.yaml"), "done\n")
        let before = try await recorder.collect { $0.mentions("sentinel.yaml") }
        #expect(!before.contains { $0.mentions("x.yaml") })

        _ = "    image: /db/schema/repo/app:1\n".withCString { write(fd, $0, strlen($0)) }
        close(fd)
        let after = try await recorder.collect { $0.mentions("x.yaml") }
        #expect(after.count == 1)
        let content = try String(contentsOfFile: path, encoding: .utf8)
        #expect(content.hasSuffix("image: /db/schema/repo/app:1\n"))
    }

    @Test func renameIntoPlaceReportsTheTargetOnly() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let (watcher, recorder, _) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }

        try writeTestFile(directory.file(".x.yaml.tmp"), "spec: {}\n")
        try writeTestFile(directory.file("tmp"), "spec: {}\n")
        #expect(rename(directory.file("tmp"), directory.file("x.yaml")) == 0)
        let event = try await recorder.next()
        #expect(event.changedNames == ["x.yaml"])
    }

    @Test func editorLeftoversAndDotFilesAreIgnored() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let (watcher, recorder, _) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }

        let ignored = [
            ".x.yaml.swp", ".x.yaml.swx", "x.yaml~", "4913", "#x.yaml#", ".#x.yaml", "x.yaml.tmp", "notes.txt",
            ".hidden.yaml",
        ]
        for name in ignored {
            try writeTestFile(directory.file(name), "junk\n")
        }
        for name in ignored { unlink(directory.file(name)) }
        try writeTestFile(directory.file("sentinel.yaml"), "done\n")
        let events = try await recorder.collect { $0.mentions("sentinel.yaml") }
        let reported = events.compactMap(\.changedNames).reduce(into: Set<String>()) { $0.formUnion($1) }
        #expect(reported == ["sentinel.yaml"])
    }

    @Test func deletionIsAChangeAndLeavesTheSnapshot() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        try writeTestFile(directory.file("x.yaml"), "spec: {}\n")
        try writeTestFile(directory.file("y.yaml"), "spec: {}\n")
        let (watcher, recorder, initial) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }
        #expect(Set(initial.files.keys) == ["x.yaml", "y.yaml"])

        #expect(unlink(directory.file("x.yaml")) == 0)
        let events = try await recorder.collect { $0.mentions("x.yaml") }
        #expect(events.last?.changedNames == ["x.yaml"])

        watcher.rescanNow()
        let rescan = try await recorder.collect { $0.snapshot != nil }
        let snapshot = try #require(rescan.last?.snapshot)
        #expect(snapshot.reason == .requested)
        #expect(Set(snapshot.files.keys) == ["y.yaml"])
        #expect(snapshot.changed.isEmpty)
    }

    @Test func vimStyleSaveIsOneChange() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        try writeTestFile(directory.file("x.yaml"), "version: 1\n")
        let (watcher, recorder, _) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }

        #expect(rename(directory.file("x.yaml"), directory.file("x.yaml~")) == 0)
        try writeTestFile(directory.file("x.yaml"), "version: 2\n")
        #expect(chmod(directory.file("x.yaml"), 0o640) == 0)
        #expect(unlink(directory.file("x.yaml~")) == 0)
        try writeTestFile(directory.file("sentinel.yaml"), "done\n")
        let events = try await recorder.collect { $0.mentions("sentinel.yaml") }
        #expect(events.filter { $0.mentions("x.yaml") }.count == 1)
    }

    @Test func linksAppearComplete() async throws {
        let directory = try WatchTestDirectory()
        let outside = try WatchTestDirectory()
        defer {
            directory.cleanUp()
            outside.cleanUp()
        }
        try writeTestFile(outside.file("real.yaml"), "spec: {}\n")
        let (watcher, recorder, _) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }

        #expect(symlink(outside.file("real.yaml"), directory.file("soft.yaml")) == 0)
        #expect(try await recorder.next().changedNames == ["soft.yaml"])
        #expect(link(outside.file("real.yaml"), directory.file("hard.yaml")) == 0)
        #expect(try await recorder.next().changedNames == ["hard.yaml"])
    }

    @Test func burstOfWritesCoalesces() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        // A generous settle so that a busy machine does not split the burst.
        let (watcher, recorder, _) = try await startTestWatcher(directory.path, settle: .milliseconds(200))
        defer { watcher.finish() }

        for version in 1...20 {
            try writeTestFile(directory.file("x.yaml"), "version: \(version)\n")
        }
        try writeTestFile(directory.file("sentinel.yaml"), "done\n")
        let events = try await recorder.collect { $0.mentions("sentinel.yaml") }
        let changes = events.filter { $0.mentions("x.yaml") }
        #expect(changes.count >= 1)
        #expect(changes.count <= 3)
        #expect(try String(contentsOfFile: directory.file("x.yaml"), encoding: .utf8) == "version: 20\n")
    }

    @Test func rescanNowProducesASnapshot() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        try writeTestFile(directory.file("a.yaml"), "a\n")
        let (watcher, recorder, initial) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }

        watcher.rescanNow()
        let snapshot = try #require(try await recorder.next().snapshot)
        #expect(snapshot.reason == .requested)
        #expect(!snapshot.isInitial)
        #expect(snapshot.files == initial.files)
        #expect(snapshot.changed.isEmpty)
    }

    @Test func rescanReportsAChangeMadeThroughAHardLinkElsewhere() async throws {
        let directory = try WatchTestDirectory()
        let outside = try WatchTestDirectory()
        defer {
            directory.cleanUp()
            outside.cleanUp()
        }
        try writeTestFile(outside.file("x.yaml"), "version: 1\n")
        #expect(link(outside.file("x.yaml"), directory.file("x.yaml")) == 0)
        let (watcher, recorder, _) = try await startTestWatcher(directory.path)
        defer { watcher.finish() }

        // inotify on the stage directory does not see writes through the other name.
        try writeTestFile(outside.file("x.yaml"), "version: 22\n")
        watcher.rescanNow()
        let events = try await recorder.collect { $0.snapshot?.reason == .requested }
        // Only the rescan noticed it, by comparing stats.
        #expect(events.count == 1)
        #expect(events.last?.snapshot?.changed == ["x.yaml"])
        #expect(events.last?.snapshot?.files["x.yaml"]?.size == 12)
    }

    @Test func periodicRescansArrive() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let (watcher, recorder, _) = try await startTestWatcher(directory.path, rescanInterval: .milliseconds(100))
        defer { watcher.finish() }
        let snapshot = try #require(try await recorder.next().snapshot)
        #expect(snapshot.reason == .periodic)
    }

    @Test func directoryRemovedThenRecreatedKeepsWorking() async throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let stage = parent.file("stage")
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: false)
        try writeTestFile("\(stage)/a.yaml", "a\n")
        let (watcher, recorder, initial) = try await startTestWatcher(stage)
        defer { watcher.finish() }
        #expect(Set(initial.files.keys) == ["a.yaml"])

        try FileManager.default.removeItem(atPath: stage)
        let lost = try await recorder.collect { $0.problem != nil }
        #expect(lost.last?.problem?.kind == .directoryUnavailable)
        #expect(lost.last?.problem?.errno == ENOENT)

        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: false)
        try writeTestFile("\(stage)/b.yaml", "b\n")
        let back = try await recorder.collect { $0.snapshot != nil }
        let snapshot = try #require(back.last?.snapshot)
        #expect(snapshot.reason == .directoryRestored)
        #expect(snapshot.files["a.yaml"] == nil)

        // The new directory is watched: a new file is a change.
        try writeTestFile("\(stage)/c.yaml", "c\n")
        let later = try await recorder.collect { $0.mentions("c.yaml") }
        #expect(later.last?.changedNames?.contains("c.yaml") == true)
    }

    @Test func directoryReplacedByRenameIsPickedUp() async throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let stage = parent.file("stage")
        let next = parent.file("stage.next")
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: next, withIntermediateDirectories: false)
        try writeTestFile("\(stage)/old.yaml", "old\n")
        try writeTestFile("\(next)/new.yaml", "new\n")
        let (watcher, recorder, _) = try await startTestWatcher(stage)
        defer { watcher.finish() }

        #expect(rename(stage, parent.file("stage.old")) == 0)
        #expect(rename(next, stage) == 0)
        let events = try await recorder.collect { $0.snapshot?.files["new.yaml"] != nil }
        let snapshot = try #require(events.last?.snapshot)
        #expect(snapshot.files["old.yaml"] == nil)
        #expect(snapshot.changed.isSuperset(of: ["old.yaml", "new.yaml"]))
        try writeTestFile("\(stage)/later.yaml", "later\n")
        _ = try await recorder.collect { $0.mentions("later.yaml") }
        // Writes in the moved-away directory are no longer watched.
        try writeTestFile(parent.file("stage.old/ghost.yaml"), "ghost\n")
        try writeTestFile("\(stage)/sentinel.yaml", "done\n")
        let tail = try await recorder.collect { $0.mentions("sentinel.yaml") }
        #expect(!tail.contains { $0.mentions("ghost.yaml") })
    }

    @Test func missingDirectoryAtStartIsAProblemUntilItAppears() async throws {
        let parent = try WatchTestDirectory()
        defer { parent.cleanUp() }
        let stage = parent.file("stage")
        let watcher = StageWatcher(directory: stage, rescanInterval: .seconds(3600))
        defer { watcher.finish() }
        let recorder = StageEventRecorder(watcher.events())
        let problem = try #require(try await recorder.next().problem)
        #expect(problem.kind == .directoryUnavailable)
        #expect(problem.path == stage)
        #expect(problem.description.contains(stage))

        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: false)
        try writeTestFile("\(stage)/a.yaml", "a\n")
        let snapshot = try #require(try await recorder.next().snapshot)
        #expect(snapshot.reason == .initial)
        #expect(Set(snapshot.files.keys) == ["a.yaml"])
    }

    @Test func finishEndsTheStream() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let (watcher, recorder, _) = try await startTestWatcher(directory.path)
        watcher.finish()
        try await recorder.waitForEnd()
        // A second call gets a finished stream.
        var iterator = watcher.events().makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }

    @Test func endingTheIterationStopsTheWatcher() async throws {
        let directory = try WatchTestDirectory()
        defer { directory.cleanUp() }
        let watcher = StageWatcher(directory: directory.path, rescanInterval: .seconds(3600))
        let task = Task {
            for await event in watcher.events() where event.snapshot != nil { break }
        }
        await task.value
        // The thread stopped: requests after the end are harmless.
        watcher.rescanNow()
        watcher.finish()
    }
}
