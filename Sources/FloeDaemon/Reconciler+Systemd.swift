import FloeSystemd

extension Reconciler {
    /// Sends `WATCHDOG=1` from the reconciler's own actor: while the actor is stuck this cannot run,
    /// so systemd's watchdog notices a stuck reconcile loop, not only a dead process.
    func feedWatchdog(_ notifier: SystemdNotifier) {
        try? notifier.watchdog()
    }

    /// The `STATUS=` line and the change counter it was read at (for ``waitForChange(after:timeout:)``).
    func statusSnapshot() -> (line: String, generation: Int) {
        (summary(), generation)
    }
}
