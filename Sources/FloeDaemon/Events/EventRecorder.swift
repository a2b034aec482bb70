import FloeAPI
import FloeCore
import FloeSpec
import Logging
import Synchronization

/// Records what floed did and why: each event goes to the log and to a bounded list that
/// `floectl events` reads. Shared by the loop, the runners and their hooks; safe from any thread.
public final class EventRecorder: Sendable {
    private let log: Mutex<EventLog>
    private let logger: Logger
    private let clock: any FloeClock

    /// A recorder keeping the newest `capacity` events.
    public init(logger: Logger, clock: any FloeClock, capacity: Int = 10_000) {
        self.log = Mutex(EventLog(capacity: capacity))
        self.logger = logger
        self.clock = clock
    }

    /// Records one event about an object (and one of its instances and containers), or about floed.
    public func record(
        _ object: ObjectName?, _ instance: Int?, _ container: String?, _ reason: String, _ message: String,
        level: Logger.Level = .info
    ) {
        let event = EventRecord(
            time: Timestamp.rfc3339(clock.now), object: object?.value ?? "", instanceId: instance.map(String.init),
            container: container, reason: reason, message: message)
        log.withLock { $0.append(event) }
        var metadata: Logger.Metadata = ["reason": .string(reason)]
        if let object { metadata["service"] = .string(object.value) }
        if let instance { metadata["instance"] = .string(String(instance)) }
        if let container { metadata["container"] = .string(container) }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    /// Events (of one object, when named), oldest first, at most `limit` of the newest.
    public func list(object: String?, limit: Int) -> [EventRecord] {
        log.withLock { $0.list(object: object, limit: limit) }
    }
}
