import Foundation
import Logging
import Testing

@testable import FloeSystemd

@Suite struct StderrLogHandlerTests {
    private func logger(_ lines: LineCollector, level: Logger.Level = .info) -> Logger {
        Logger(label: "floed") { label in
            StderrLogHandler(
                label: label, logLevel: level, metadataProvider: nil, output: { lines.append($0) },
                clock: { timespec(tv_sec: 1_795_550_400, tv_nsec: 123_456_789) })
        }
    }

    @Test func oneLinePerRecordWithLeadingKeysFirst() {
        let lines = LineCollector()
        var log = logger(lines)
        log[metadataKey: "instance"] = "0"
        log.info("instance started", metadata: ["service": "X", "attempt": "2"])
        #expect(lines.all == ["2026-11-24T20:00:00.123Z info floed: instance started service=X instance=0 attempt=2\n"])
    }

    @Test func lineBreaksAndSpacesAreEscaped() {
        let lines = LineCollector()
        let log = logger(lines)
        log.error("two\nlines", metadata: ["path": "/a b/c", "empty": ""])
        #expect(lines.all == [#"2026-11-24T20:00:00.123Z error floed: two\nlines empty="" path="/a b/c""# + "\n"])
    }

    @Test func levelFilters() {
        let lines = LineCollector()
        let log = logger(lines, level: .notice)
        log.info("hidden")
        log.notice("shown")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains(" notice floed: shown") == true)
    }

    @Test func timestampsArePaddedUTC() {
        #expect(StderrLogHandler.timestamp(timespec(tv_sec: 0, tv_nsec: 5_000_000)) == "1970-01-01T00:00:00.005Z")
    }
}

@Suite struct FloeLoggingTests {
    @Test func autoPicksTheJournalOnlyWhenJournalStreamNamesStderr() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("floe-stream-\(UUID().uuidString)")
        #expect(FileManager.default.createFile(atPath: file.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: file) }
        let fd = open(file.path, O_WRONLY)
        #expect(fd >= 0)
        defer { close(fd) }
        var status = stat()
        #expect(fstat(fd, &status) == 0)
        let matching = ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]
        let other = ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino + 1)"]

        #expect(FloeLogging.resolve(.auto, environment: matching, standardErrorDescriptor: fd) == .journal)
        #expect(FloeLogging.resolve(.auto, environment: other, standardErrorDescriptor: fd) == .stderr)
        #expect(FloeLogging.resolve(.auto, environment: [:], standardErrorDescriptor: fd) == .stderr)
        #expect(
            FloeLogging.resolve(.auto, environment: ["JOURNAL_STREAM": "junk"], standardErrorDescriptor: fd) == .stderr)
        #expect(FloeLogging.resolve(.journal, environment: [:], standardErrorDescriptor: fd) == .journal)
        #expect(FloeLogging.resolve(.stderr, environment: matching, standardErrorDescriptor: fd) == .stderr)
    }

    @Test func makeHandlerBuildsTheResolvedKind() {
        let journal = FloeLogging.makeHandler(
            label: "floed", target: .journal, level: .debug, environment: [:],
            journalSocket: JournalSocket(path: "/nonexistent/floe-test.sock"))
        #expect(journal is JournalLogHandler)
        #expect(journal.logLevel == .debug)
        let plain = FloeLogging.makeHandler(label: "floed", target: .stderr, level: .info, environment: [:])
        #expect(plain is StderrLogHandler)
    }
}
