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

extension ServiceQueries {
    /// ALTER SERVICE ... SUSPEND: stops the service's instances and starts none until it resumes
    /// (kept across floed restarts). Returns the service's status afterwards.
    public func suspendService(_ raw: String) async throws(SuspensionError) -> String {
        let name = try serviceName(raw)
        await loop.command(.suspend(name))
        return snapshot.serviceStatus(name)
    }

    /// ALTER SERVICE ... RESUME: starts the service's instances again.
    public func resumeService(_ raw: String) async throws(SuspensionError) -> String {
        let name = try serviceName(raw)
        await loop.command(.resume(name, why: "resumed on request"))
        return snapshot.serviceStatus(name)
    }

    private func serviceName(_ raw: String) throws(SuspensionError) -> ObjectName {
        let snapshot = self.snapshot
        let name: ObjectName
        do throws(QueryError) {
            name = try snapshot.resolve(raw)
        } catch {
            throw .query(error)
        }
        guard snapshot.desired.services[name] != nil else { throw .notAService(name.value) }
        return name
    }
}
