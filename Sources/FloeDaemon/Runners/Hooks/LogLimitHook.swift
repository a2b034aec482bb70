import FloeCore
import FloeRuntime
import Synchronization

/// Keeps running containers' logs under the size limit: a container's log is watched while its
/// process runs, and ``enforce()`` (every 10 s) trims those over the limit (copy-truncate: the
/// processes write their logs themselves, so floed trims them from outside).
final class LogLimitHook: InstanceHook {
    private let watched = Mutex<[ContainerRef: String]>([:])
    private let maxBytes: Int
    private let events: EventRecorder

    init(maxBytes: Int, events: EventRecorder) {
        self.maxBytes = maxBytes
        self.events = events
    }

    func poststart(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async {
        watched.withLock { $0[ContainerRef(instance, start.container.name)] = start.launch.logFile }
    }

    func stopped(_ ref: ContainerRef) async {
        _ = watched.withLock { $0.removeValue(forKey: ref) }
    }

    /// Trims every watched log over the limit; records an event for each.
    func enforce() {
        for (ref, path) in watched.withLock({ $0 }) where LogFiles.enforceLimit(path: path, maxBytes: maxBytes) {
            events.record(
                ref.key.object, ref.key.id, ref.container, "log-trimmed",
                "log over \(maxBytes) bytes: kept the newest half")
        }
    }
}
