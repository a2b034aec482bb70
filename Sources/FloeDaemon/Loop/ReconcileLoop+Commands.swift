import FloeCore
import FloeSpec
import Foundation

extension ReconcileLoop {
    /// Carries out a command of the control API or the ingress.
    func perform(_ command: LoopCommand, effects: inout BatchEffects) {
        let now = clock.now
        switch command {
        case .suspend(let name):
            guard !world.isSuspended(service: name) else { return }
            world.apply(.suspendService(name, .requested), desired: stageView.desired, now: now)
            record(name, nil, nil, "suspended", "suspended on request; instances stop")
            effects.changed(full: true)
        case .resume(let name, let why):
            guard world.isSuspended(service: name) else { return }
            world.apply(.resumeService(name), desired: stageView.desired, now: now)
            record(name, nil, nil, "resumed", why)
            effects.changed(full: true)
        case .noteTraffic(let name):
            // At most one note a second, and no plan: the planner reads it when its idle timer fires.
            if let last = world.services[name]?.lastActiveAt, now.timeIntervalSince(last) < 1 { return }
            guard stageView.desired.services[name]?.header.autoSuspendSecs ?? 0 > 0 else { return }
            world.noteTraffic(service: name, at: now)
        case .secretSet(let secret):
            let existed = secrets.updateValue(secret, forKey: secret.name) != nil
            stageDirty = true
            record(
                nil, nil, nil, "secret-set",
                "secret \(secret.name) \(existed ? "updated" : "created") (\(secret.kind.rawValue))")
            effects.changed(full: true)
        case .secretDeleted(let name):
            guard secrets.removeValue(forKey: name) != nil else { return }
            stageDirty = true
            record(nil, nil, nil, "secret-deleted", "secret \(name) deleted")
            effects.changed(full: true)
        }
    }
}
