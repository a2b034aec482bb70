extension Reconciler {
    /// Asks for a ``reconcile()`` once the events already waiting for the actor are handled, so that a
    /// burst of events (N files renamed into the stage, N processes started, N probes answering) ends
    /// in a few plans over the whole world instead of one plan per event. Asking again before the
    /// queued one has run adds nothing.
    func reconcileSoon() {
        guard !reconcileQueued else { return }
        reconcileQueued = true
        Task { [weak self] in await self?.runQueuedReconcile() }
    }

    func runQueuedReconcile() {
        guard reconcileQueued else { return }
        reconcileQueued = false
        reconcile()
    }
}
