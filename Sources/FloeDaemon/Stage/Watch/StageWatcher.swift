import Foundation
import Synchronization

/// Watches a stage directory of YAML spec files and reports complete changes to them.
///
/// ```swift
/// let watcher = StageWatcher(directory: "/etc/floe/stage", rescanInterval: .seconds(20))
/// for await event in watcher.events() {
///     switch event {
///     case .rescan(let snapshot): ...   // first one: snapshot.isInitial
///     case .changed(let names): ...
///     case .problem(let error): ...
///     }
/// }
/// ```
///
/// It uses inotify on the directory (a dedicated thread blocks in `poll()`, never a cooperative-pool thread)
/// plus a full rescan every `rescanInterval` as a safety net. Only stage files count (see
/// ``isStageFile(_:)``), and only complete versions: a file is reported after it was closed after writing, or
/// renamed into place, and after `settle` of quiet, so that one editor save is one change. A missing,
/// deleted or replaced directory is reported as a ``StageEvent/problem(_:)`` and picked up again when it is
/// back; it is never reported as all files removed.
public final class StageWatcher: Sendable {
    /// The directory watched.
    public let directory: String
    /// The time between safety-net rescans.
    public let rescanInterval: Duration
    /// The quiet time a change waits for before it is reported (renames into place do not wait).
    public let settle: Duration

    private let control = StageWatchControl()
    private let started = Mutex(false)

    /// Makes a watcher; nothing happens until ``events()`` is called.
    ///
    /// - Parameters:
    ///   - directory: The stage directory (it may be missing for now).
    ///   - rescanInterval: The time between full rescans (the safety net), 20 s by default (used within
    ///     10 ms...1 day). While the directory is missing, or inotify cannot be used, it is retried every second.
    ///   - settle: The quiet time that coalesces a burst of writes into one change. 10 ms by default: editors
    ///     finish a save within a few milliseconds, and the time counts towards floe's drop-to-READY latency.
    ///     Renames into place are reported without it; removals wait at least 100 ms, so that an editor that
    ///     renames the old file away before writing the new one never looks like a deletion.
    public init(directory: String, rescanInterval: Duration = .seconds(20), settle: Duration = .milliseconds(10)) {
        self.directory = directory
        self.rescanInterval = rescanInterval
        self.settle = settle
    }

    /// Starts watching and returns the events: a first ``StageEvent/rescan(_:)`` with the initial snapshot,
    /// then changes, periodic rescans and problems. Call it once and iterate from one task; later calls
    /// return a stream that has already finished. Ending the iteration (or ``finish()``) stops the watcher.
    public func events() -> AsyncStream<StageEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: StageEvent.self)
        let isFirst = started.withLock { started in
            defer { started = true }
            return !started
        }
        guard isFirst else {
            continuation.finish()
            return stream
        }
        let control = self.control
        continuation.onTermination = { _ in control.requestStop() }
        let (directory, rescanInterval, settle) = (self.directory, self.rescanInterval, self.settle)
        let thread = Thread {
            let loop = StageWatchLoop(
                directory: directory,
                rescanInterval: rescanInterval,
                settle: settle,
                control: control,
                emit: { continuation.yield($0) }
            )
            loop.run()
            continuation.finish()
        }
        thread.name = "floe-stage-watcher"
        thread.start()
        return stream
    }

    /// Asks for a full rescan now (SIGHUP); it arrives as a ``StageEvent/rescan(_:)`` with reason
    /// ``StageSnapshot/Reason-swift.enum/requested``.
    public func rescanNow() {
        control.requestRescan()
    }

    /// Stops watching: the thread closes the inotify descriptor and the event stream finishes.
    public func finish() {
        control.requestStop()
    }
}
