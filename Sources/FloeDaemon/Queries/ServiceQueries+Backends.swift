import FloeCore
import FloeSpec
import Foundation

extension ServiceQueries {
    /// The READY instances of `service` that serve the endpoint named `endpoint`, in instance order,
    /// from the latest snapshot's index. Empty when the service or endpoint is unknown or nothing is READY.
    public func readyBackends(service: ObjectName, endpoint: String) -> [Backend] {
        snapshot.backends.backends(service: service, endpoint: endpoint)
    }

    /// Waits up to `timeout` for at least one READY backend of the endpoint; returns what is READY
    /// when it gives up (possibly nothing). This is traffic: it counts for the service's
    /// AUTO_SUSPEND_SECS, and a suspended service with AUTO_RESUME is resumed first.
    public func waitForBackends(service: ObjectName, endpoint: String, timeout: Duration) async -> [Backend] {
        await noteTraffic(service)
        let deadline = clock.now.addingTimeInterval(timeout.seconds)
        while true {
            let snapshot = self.snapshot
            let backends = snapshot.backends.backends(service: service, endpoint: endpoint)
            let left = deadline.timeIntervalSince(clock.now)
            if !backends.isEmpty || left <= 0 { return backends }
            await loop.broadcaster.waitForChange(after: snapshot.generation, until: deadline)
        }
    }

    /// Hands traffic for `service` to the loop (at most once a second), and resumes it first when it
    /// is suspended and has autoResume.
    func noteTraffic(_ service: ObjectName) async {
        let snapshot = self.snapshot
        let header = snapshot.desired.services[service]?.header
        if snapshot.world.isSuspended(service: service), header?.autoResume == true {
            await loop.command(.resume(service, why: "resumed by traffic (autoResume)"))
        }
        if header?.autoSuspendSecs ?? 0 > 0, trafficNotes.due(service, now: clock.now) {
            loop.send(.command(.noteTraffic(service), done: nil))
        }
    }
}
