import Foundation
import Logging
import Testing

@testable import FloeSystemd

@Suite struct JournalLogHandlerTests {
    private func logger(
        to receiver: DatagramReceiver, level: Logger.Level = .trace,
        fallback: @escaping StderrLogHandler.Output = { _ in }
    ) -> Logger {
        let socket = JournalSocket(path: receiver.address)
        return Logger(label: "floe.test") { label in
            JournalLogHandler(
                label: label, identifier: "floed", socket: socket, logLevel: level, metadataProvider: nil,
                fallbackOutput: fallback)
        }
    }

    @Test func recordsArriveWithStructuredFields() throws {
        let receiver = try DatagramReceiver()
        var log = logger(to: receiver)
        log[metadataKey: "service"] = "ECHO_SERVICE"
        log.info(
            "instance started", metadata: ["instance": "0", "container": "echo", "requestId": "r-1"],
            function: "start()", line: 42)

        let bytes = try receiver.receive()
        let entry = try #require(JournalEntry.decode(bytes))
        #expect(entry["MESSAGE"] == "instance started")
        #expect(entry["PRIORITY"] == "6")
        #expect(entry["SYSLOG_IDENTIFIER"] == "floed")
        #expect(entry["CODE_LINE"] == "42")
        #expect(entry["CODE_FUNC"] == "start()")
        #expect(entry["CODE_FILE"]?.hasSuffix("JournalLogHandlerTests.swift") == true)
        #expect(entry["FLOE_SERVICE"] == "ECHO_SERVICE")
        #expect(entry["FLOE_INSTANCE"] == "0")
        #expect(entry["FLOE_CONTAINER"] == "echo")
        #expect(entry["FLOE_REQUEST_ID"] == "r-1")
        #expect(entry["FLOE_LOGGER"] == "floe.test")
        // Plain `FIELD=value` lines on the wire.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("MESSAGE=instance started\nPRIORITY=6\nSYSLOG_IDENTIFIER=floed\n"))
        #expect(text.contains("\nFLOE_SERVICE=ECHO_SERVICE\nFLOE_INSTANCE=0\nFLOE_CONTAINER=echo\n"))
    }

    @Test func multiLineValuesUseTheBinaryLengthForm() throws {
        let receiver = try DatagramReceiver()
        let log = logger(to: receiver)
        log.error("first line\nsecond line")
        let bytes = try receiver.receive()
        let prefix: [UInt8] =
            Array("MESSAGE\n".utf8) + [22, 0, 0, 0, 0, 0, 0, 0] + Array("first line\nsecond line\n".utf8)
        #expect(Array(bytes.prefix(prefix.count)) == prefix)
        #expect(JournalEntry.decode(bytes)?["MESSAGE"] == "first line\nsecond line")
        #expect(JournalEntry.decode(bytes)?["PRIORITY"] == "3")
    }

    @Test func levelsMapToSyslogPriorities() throws {
        let receiver = try DatagramReceiver()
        let log = logger(to: receiver)
        let expected: [(Logger.Level, String)] = [
            (.trace, "7"), (.debug, "7"), (.info, "6"), (.notice, "5"), (.warning, "4"), (.error, "3"),
            (.critical, "2"),
        ]
        for (level, _) in expected {
            log.log(level: level, "at \(level)")
        }
        for (level, priority) in expected {
            let entry = try #require(JournalEntry.decode(try receiver.receive()))
            #expect(entry["MESSAGE"] == "at \(level)")
            #expect(entry["PRIORITY"] == priority)
        }
    }

    @Test func recordsBelowTheLevelAreNotSent() throws {
        let receiver = try DatagramReceiver()
        let log = logger(to: receiver, level: .warning)
        log.info("quiet")
        #expect(receiver.isEmpty())
        log.warning("loud")
        #expect(JournalEntry.decode(try receiver.receive())?["MESSAGE"] == "loud")
    }

    @Test func oversizedRecordsAreTruncatedNotLost() throws {
        let receiver = try DatagramReceiver()
        let log = logger(to: receiver)
        let huge = String(repeating: "x", count: 4 << 20)
        log.info("\(huge)")
        let entry = try #require(JournalEntry.decode(try receiver.receive()))
        let message = try #require(entry["MESSAGE"])
        #expect(message.hasSuffix("(truncated)"))
        #expect(message.utf8.count < JournalSocket.truncatedValueBytes + 100)
        #expect(entry["SYSLOG_IDENTIFIER"] == "floed")
    }

    @Test func unreachableJournalFallsBackToStderrLines() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent(
            "floe-nojournal-\(UUID().uuidString)")
        let lines = LineCollector()
        let socket = JournalSocket(path: missing.path)
        let log = Logger(label: "floed") { label in
            JournalLogHandler(
                label: label, identifier: "floed", socket: socket, logLevel: .info, metadataProvider: nil,
                fallbackOutput: { lines.append($0) })
        }
        log.warning("journal is gone", metadata: ["service": "ECHO"])
        let written = lines.all
        #expect(written.count == 1)
        #expect(written.first?.hasSuffix(" warning floed: journal is gone service=ECHO\n") == true)
    }

    @Test func fieldNamesAreMadeValid() {
        #expect(JournalEntry.fieldName(forMetadataKey: "service") == "FLOE_SERVICE")
        #expect(JournalEntry.fieldName(forMetadataKey: "instance") == "FLOE_INSTANCE")
        #expect(JournalEntry.fieldName(forMetadataKey: "container") == "FLOE_CONTAINER")
        #expect(JournalEntry.fieldName(forMetadataKey: "requestId") == "FLOE_REQUEST_ID")
        #expect(JournalEntry.fieldName(forMetadataKey: "exit-code") == "FLOE_EXIT_CODE")
        #expect(JournalEntry.fieldName(forMetadataKey: "a.b c") == "FLOE_A_B_C")
        #expect(JournalEntry.sanitizedFieldName("_PID") == "PID")
        #expect(JournalEntry.sanitizedFieldName("9lives") == "F_9LIVES")
        #expect(JournalEntry.sanitizedFieldName("") == "FIELD")
        #expect(JournalEntry.sanitizedFieldName(String(repeating: "a", count: 100)).count == 64)
    }
}

/// Collects lines written by a handler, from any thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.withLock { lines.append(line) }
    }

    var all: [String] { lock.withLock { lines } }
}

@Suite struct JournalSocketTransportTests {
    @Test func journaldsOwnSocketGoesThroughLibsystemdAndOthersDoNot() throws {
        #expect(JournalSocket().usesLibsystemd)
        #expect(JournalSocket(path: JournalSocket.defaultPath).usesLibsystemd)
        let receiver = try DatagramReceiver()
        #expect(!JournalSocket(path: receiver.address).usesLibsystemd)
    }
}

extension JournalSocketTransportTests {
    /// Where no journald runs (build machines, containers), `sd_journal_sendv` fails and the record is
    /// written to stderr instead. Where journald runs the record goes to the journal and this checks nothing.
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: JournalSocket.defaultPath)))
    func libsystemdPathWithoutJournaldFallsBackToStderr() {
        let socket = JournalSocket()
        #expect(socket.usesLibsystemd)
        #expect(throws: JournalSocketError.self) {
            var entry = JournalEntry()
            entry.append("MESSAGE", "two\nlines")
            try socket.send(entry)
        }
        let lines = LineCollector()
        let log = Logger(label: "floed") { label in
            JournalLogHandler(
                label: label, identifier: "floed", socket: socket, logLevel: .info, metadataProvider: nil,
                fallbackOutput: { lines.append($0) })
        }
        log.error("no journald here", metadata: ["service": "ECHO"])
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("no journald here service=ECHO") == true)
    }
}
