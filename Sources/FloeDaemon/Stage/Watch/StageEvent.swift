/// What a ``StageWatcher`` reports about its stage directory.
///
/// The first event is a `.rescan` whose snapshot has ``StageSnapshot/Reason-swift.enum/initial`` as its reason
/// (possibly preceded by `.problem` events while the directory cannot be read). Nothing should be removed before
/// that first snapshot has arrived.
public enum StageEvent: Sendable, Hashable {
    /// These stage file names changed, appeared or disappeared. Each name was complete (closed after writing,
    /// or renamed into place) and quiet for the settle time when it was reported. Read (or stat) each file
    /// to learn which: a name whose file is gone was removed.
    case changed(Set<String>)
    /// A full listing of the directory: the first scan, a periodic safety-net scan, one asked for with
    /// ``StageWatcher/rescanNow()``, one after an inotify queue overflow, or one after the directory came
    /// back. Its ``StageSnapshot/changed`` names what differs from what the watcher reported before. A
    /// `.rescan` also means that any earlier ``problem(_:)`` about the directory is over.
    case rescan(StageSnapshot)
    /// The directory cannot be watched or listed (missing, not a directory, not readable). Keep running what
    /// was last read; the watcher keeps trying and sends a `.rescan` once the directory is back.
    case problem(StageWatchError)
}
