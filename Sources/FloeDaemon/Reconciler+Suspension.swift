import FloeCore
import FloeSpec
import Foundation

/// Why a service cannot be suspended or resumed.
public enum SuspensionError: Error, Sendable, CustomStringConvertible {
    case query(QueryError)
    case notAService(String)

    public var description: String {
        switch self {
        case .query(let error): error.description
        case .notAService(let name):
            "\(name) is not a service of the stage (jobs cannot be suspended); `floectl services` lists services"
        }
    }
}

extension Reconciler {
    /// ALTER SERVICE ... SUSPEND: stops the service's instances and starts none until it resumes
    /// (kept across floed restarts). Returns the service's status afterwards.
    public func suspendService(_ raw: String) throws(SuspensionError) -> String {
        let name = try desiredServiceName(raw)
        if !world.isSuspended(service: name) {
            world.apply(
                .suspendService(name, .requested), desired: registry.desiredState(complete: stageComplete),
                now: Date())
            record(name, nil, nil, "suspended", "suspended on request; instances stop")
            reconcile()
        }
        return serviceStatus(name)
    }

    /// ALTER SERVICE ... RESUME: starts the service's instances again.
    public func resumeService(_ raw: String) throws(SuspensionError) -> String {
        let name = try desiredServiceName(raw)
        resumeIfSuspended(name, why: "resumed on request")
        return serviceStatus(name)
    }

    /// Resumes a suspended service (no-op for a running one).
    func resumeIfSuspended(_ name: ObjectName, why: String) {
        guard world.isSuspended(service: name) else { return }
        world.apply(.resumeService(name), desired: registry.desiredState(complete: stageComplete), now: Date())
        record(name, nil, nil, "resumed", why)
        reconcile()
    }

    /// Notes ingress or function traffic for AUTO_SUSPEND_SECS (at most one record a second, and
    /// no reconcile: the planner reads it when its idle timer fires).
    func noteTraffic(_ name: ObjectName) {
        let now = Date()
        if let last = world.services[name]?.lastActiveAt, now.timeIntervalSince(last) < 1 { return }
        guard registry.desiredState(complete: stageComplete).services[name]?.header.autoSuspendSecs ?? 0 > 0 else {
            return
        }
        world.noteTraffic(service: name, at: now)
    }

    /// Records the planner's service suspension actions (floectl's own are recorded where they are made).
    func performServiceActivity(_ action: Action, desired: DesiredState) {
        switch action {
        case .suspendService(let name, let reason):
            let seconds = desired.services[name]?.header.autoSuspendSecs ?? 0
            let why = reason == .idle ? "no ingress or function traffic for \(seconds) s" : reason.rawValue
            record(name, nil, nil, "suspended", "service suspended: \(why); instances stop")
        case .resumeService(let name):
            record(name, nil, nil, "resumed", "service resumed")
        default:
            break
        }
    }

    private func desiredServiceName(_ raw: String) throws(SuspensionError) -> ObjectName {
        let name: ObjectName
        do throws(QueryError) {
            name = try resolve(raw)
        } catch {
            throw .query(error)
        }
        guard view().desired.services[name] != nil else { throw .notAService(name.value) }
        return name
    }
}
