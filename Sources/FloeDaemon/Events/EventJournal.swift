import FloeAPI
import Foundation

/// The events on disk (`STATE_DIR/events.jsonl`, one JSON object per line), so that `floectl events`
/// still shows what happened before floed restarted. New events are appended in batches (with each
/// save of the world, and at shutdown); the file is rewritten with only the newest `capacity` events
/// when it holds twice that many.
final class EventJournal: Sendable {
    let path: String
    let capacity: Int

    init(path: String, capacity: Int) {
        self.path = path
        self.capacity = capacity
    }

    /// The newest `capacity` events of the file, oldest first (none when it is missing; lines that
    /// do not decode, such as a last line cut by a crash, are skipped).
    func load() -> [EventRecord] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = JSONDecoder()
        var records: [EventRecord] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let record = try? decoder.decode(EventRecord.self, from: Data(line)) { records.append(record) }
        }
        return Array(records.suffix(capacity))
    }

    /// Appends `records`; `total` is how many events the file holds after them (the caller counts),
    /// and when it passes twice the capacity the file is rewritten with the newest `kept`.
    func append(_ records: [EventRecord], total: Int, kept: () -> [EventRecord]) throws {
        guard !records.isEmpty else { return }
        if total > 2 * capacity {
            try write(kept(), to: path)
            return
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw JournalError(path: path, errno: errno) }
        defer { close(fd) }
        let bytes = try Self.lines(records)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw JournalError(path: path, errno: errno) }
    }

    private func write(_ records: [EventRecord], to path: String) throws {
        let temporary = path + ".tmp"
        try Data(Self.lines(records)).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else { throw JournalError(path: path, errno: errno) }
    }

    private static func lines(_ records: [EventRecord]) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for record in records {
            bytes += try encoder.encode(record)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    /// The events file could not be written (the message names it and the reason).
    struct JournalError: Error, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "cannot write \(path): \(String(cString: strerror(errno)))" }
    }
}
