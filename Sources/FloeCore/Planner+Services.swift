import FloeSpec
import Foundation

extension PlanningPass {
    /// SPCS's ALTER SERVICE SUSPEND: a suspended service's instances are stopped (their containers
    /// deleted) and none are started until it resumes. Returns true when the service is suspended
    /// (nothing else is planned for it then).
    mutating func planSuspendedService(_ service: DesiredService) -> Bool {
        guard world.isSuspended(service: service.name) else { return false }
        for instance in instancesOf(service.name).reversed() where !instance.terminating {
            if instance.node == nil {
                emit(.forgetInstance(instance.key))
            } else {
                emit(.stopInstance(instance.key, .suspended))
            }
        }
        if world.upgradeBlocked[service.name] != nil { emit(.setUpgradeBlocked(service.name, nil)) }
        return true
    }

    /// AUTO_SUSPEND_SECS: a running service that no ingress or function traffic reached for that
    /// long suspends (0 never suspends). The clock starts when floe first plans the service.
    mutating func planServiceIdle(_ service: DesiredService) {
        let seconds = service.header.autoSuspendSecs
        guard seconds > 0, !world.isSuspended(service: service.name) else { return }
        guard let since = world.services[service.name]?.lastActiveAt else {
            emit(.setServiceActive(service.name, at: now))
            return
        }
        let due = since.addingTimeInterval(Double(seconds))
        if due <= now {
            // Before the first full scan the stage is not known in full: suspend nothing yet.
            if desired.complete { emit(.suspendService(service.name, .idle)) }
        } else {
            wake(at: due)
        }
    }

    /// What floe remembers of services whose file is gone is dropped once their instances are.
    mutating func forgetRemovedServiceActivity() {
        guard desired.complete else { return }
        for name in world.services.keys.sorted()
        where inScope(name) && desired.services[name] == nil && (index.byObject[name] ?? []).isEmpty {
            emit(.forgetService(name))
        }
    }
}
