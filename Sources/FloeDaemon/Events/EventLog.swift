import DequeModule
import FloeAPI
import Foundation

/// The newest events of what floed did and why, kept in memory (bounded) for `floectl events`.
struct EventLog: Sendable {
    private var records: Deque<EventRecord> = []
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    mutating func append(_ record: EventRecord) {
        if records.count >= capacity { records.removeFirst() }
        records.append(record)
    }

    /// Events (of one object, when named), oldest first, at most `limit` of the newest.
    func list(object: String?, limit: Int) -> [EventRecord] {
        let matching = records.filter { object == nil || $0.object == object }
        return Array(matching.suffix(limit))
    }
}
