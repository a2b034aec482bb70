import FloeAPI
import FloeCore
import FloeSpec
import Logging
import Synchronization

/// Records what floed did and why: each event goes to the log and to a bounded list that
/// `floectl events` reads, kept on disk by an ``EventJournal`` when there is one (written by
/// ``flush()``). Shared by the loop, the runners and their hooks; safe from any thread.
public final class EventRecorder: Sendable {
    private struct Book {
        var log: EventLog
        /// Recorded and not yet in the journal.
        var pending: [EventRecord] = []
        /// How many events the journal's file holds.
        var inFile = 0
    }

    private let book: Mutex<Book>
    private let logger: Logger
    private let clock: any FloeClock
    private let journal: EventJournal?

    /// A recorder keeping the newest `capacity` events, and, with a `journal`, the events it holds
    /// from before (floed's earlier runs).
    init(logger: Logger, clock: any FloeClock, capacity: Int = 10_000, journal: EventJournal? = nil) {
        var log = EventLog(capacity: capacity)
        let earlier = journal?.load() ?? []
        for record in earlier { log.append(record) }
        self.book = Mutex(Book(log: log, inFile: earlier.count))
        self.logger = logger
        self.clock = clock
        self.journal = journal
    }

    /// Writes the events recorded since the last flush to the journal (the loop calls it with each
    /// save of the world).
    func flush() {
        guard let journal else { return }
        let (pending, inFile) = book.withLock { book in
            defer { book.pending = [] }
            return (book.pending, book.inFile)
        }
        guard !pending.isEmpty else { return }
        let total = inFile + pending.count
        do {
            try journal.append(pending, total: total) { list(object: nil, limit: journal.capacity) }
            book.withLock { $0.inFile = total > 2 * journal.capacity ? journal.capacity : total }
        } catch {
            logger.error("events: \(error); they are kept in memory only")
        }
    }

    /// Records one event about an object (and one of its instances and containers), or about floed.
    public func record(
        _ object: ObjectName?, _ instance: Int?, _ container: String?, _ reason: String, _ message: String,
        level: Logger.Level = .info
    ) {
        let event = EventRecord(
            time: Timestamp.rfc3339(clock.now), object: object?.value ?? "", instanceId: instance.map(String.init),
            container: container, reason: reason, message: message)
        book.withLock { book in
            book.log.append(event)
            if journal != nil { book.pending.append(event) }
        }
        var metadata: Logger.Metadata = ["reason": .string(reason)]
        if let object { metadata["service"] = .string(object.value) }
        if let instance { metadata["instance"] = .string(String(instance)) }
        if let container { metadata["container"] = .string(container) }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    /// Events (of one object, when named), oldest first, at most `limit` of the newest.
    public func list(object: String?, limit: Int) -> [EventRecord] {
        book.withLock { $0.log.list(object: object, limit: limit) }
    }
}
