import FloeCore
import FloeSpec

/// What the reconciler derives from the stage (and the secrets) and reuses until they change: the
/// desired state with the secret versions folded in, the stage entries by object name and the public
/// endpoints. Without it every plan, every status query and the ingress's look after every change
/// walked every service and every stage file.
struct StageCache: Sendable {
    /// ``Reconciler/desiredState()``; nil after a change of the stage or the secrets.
    var desired: DesiredState?
    /// Each object's stage entry (its last good version's name, else its latest read's); nil after a
    /// change of the stage.
    var entries: [ObjectName: StageEntry]?
    /// ``Reconciler/publicEndpoints()``'s endpoints; nil after a change of the stage.
    var publicEndpoints: [PublicEndpoint]?
}

extension Reconciler {
    /// Forgets what was derived from the stage (called whenever the registry or `stageComplete` changes).
    func stageChangedSinceCache() {
        stageCache = StageCache()
    }
}
