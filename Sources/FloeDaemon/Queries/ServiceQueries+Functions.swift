import FloeAPI
import FloeFunctions
import FloeSpec
import Foundation

extension ServiceQueries {
    /// The service functions of the stage (last good versions), by name.
    public func functions() -> [FunctionInfo] {
        snapshot.stage.functions.sorted { $0.key < $1.key }.map { Self.info($0.key, $0.value) }
    }

    /// The function named `raw` (case-insensitive), or nil when the stage defines none by that name.
    public func function(_ raw: String) -> (name: ObjectName, spec: FunctionSpec)? {
        guard let name = ObjectName(raw), let spec = snapshot.stage.functions[name] else { return nil }
        return (name, spec)
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
    func functionBackends(_ spec: FunctionSpec) -> FunctionBackendLookup {
        { timeout in
            let backends = await waitForBackends(service: spec.service, endpoint: spec.endpoint, timeout: timeout)
            return backends.map { FunctionBackend(id: String($0.key.id), host: $0.host, port: $0.port) }
        }
    }
}
