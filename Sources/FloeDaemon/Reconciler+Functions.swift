import FloeAPI
import FloeFunctions
import FloeSpec
import Foundation

extension Reconciler {
    /// The service functions of the stage (last good versions), by name.
    public func functions() -> [FunctionInfo] {
        var rows: [FunctionInfo] = []
        for entry in registry.entries.values {
            guard case .function(let spec) = entry.lastGood?.object, let name = entry.lastGood?.name else { continue }
            rows.append(Self.info(name, spec))
        }
        return rows.sorted { $0.name < $1.name }
    }

    /// The function named `raw` (case-insensitive), or nil when the stage defines none by that name.
    public func function(_ raw: String) -> (name: ObjectName, spec: FunctionSpec)? {
        guard let name = ObjectName(raw) else { return nil }
        for entry in registry.entries.values where entry.lastGood?.name == name {
            if case .function(let spec) = entry.lastGood?.object { return (name, spec) }
        }
        return nil
    }

    static func info(_ name: ObjectName, _ spec: FunctionSpec) -> FunctionInfo {
        FunctionInfo(
            name: name.value, service: spec.service.value, endpoint: spec.endpoint, path: spec.path,
            arguments: spec.arguments.map { FunctionArgumentInfo(name: $0.name, type: $0.type) }, returns: spec.returns,
            maxBatchRows: spec.maxBatchRows,
            effectiveMaxBatchRows: spec.maxBatchRows ?? FunctionCallSettings.defaultMaxBatchRows,
            maxBatchRetries: spec.maxBatchRetries, onBatchFailure: spec.onBatchFailure.rawValue,
            batchTimeoutSecs: spec.batchTimeoutSecs, contextHeaders: spec.contextHeaders)
    }

    /// The READY instances serving the function's endpoint, waiting up to `timeout` for one, as the
    /// function caller wants them.
    nonisolated func functionBackends(_ spec: FunctionSpec) -> FunctionBackendLookup {
        { [weak self] timeout in
            guard let self else { return [] }
            let backends = await self.waitForBackends(service: spec.service, endpoint: spec.endpoint, timeout: timeout)
            return backends.map { FunctionBackend(id: String($0.key.id), host: $0.host, port: $0.port) }
        }
    }
}
