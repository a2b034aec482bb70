import FloeCore
import FloeSpec

/// What the reconciler derives from the stage (and the secrets) and reuses until they change: the
/// desired state with the secret versions folded in, and the stage entries by object name. Without
/// it every plan and every status query after a change walked every service and every stage file.
struct StageCache: Sendable {
    /// ``Reconciler/desiredState()``; nil after a change of the stage or the secrets.
    var desired: DesiredState?
    /// Each object's stage entry (its last good version's name, else its latest read's); nil after a
    /// change of the stage.
    var entries: [ObjectName: StageEntry]?
}

extension Reconciler {
    /// Forgets what was derived from the stage (called whenever the registry or `stageComplete` changes).
    func stageChangedSinceCache() {
        stageCache = StageCache()
    }
}
