import FloeCore
import FloeSpec

/// What the queries read of the stage, derived once per change of the stage (or of the secrets)
/// instead of once per query: each file's entry, each object's entry, the desired state, the public
/// endpoints and the service functions.
struct StageView: Sendable {
    /// Bumped on every change of the stage or the secrets: what depends only on the stage (the
    /// ingress's listeners) is looked at again only when it moves.
    var version: Int
    /// Whether the first full scan of the stage finished.
    var complete: Bool
    /// Each stage file's entry, by file name.
    var files: [String: StageEntry]
    /// Each object's file name (by its last good version's name, else its latest read's): a
    /// second dictionary of whole entries would cost about 2 KiB per stage file.
    var fileNames: [ObjectName: String]
    /// What the stage asks for, the secret versions folded in (what the planner sees).
    var desired: DesiredState
    /// The public HTTP endpoints (the service header's `ingressPort` goes to the first one of its service).
    var publicEndpoints: [PublicEndpoint]
    /// The service functions (last good versions), by name.
    var functions: [ObjectName: FunctionSpec]
    /// How many stage files have errors now.
    var filesWithErrors: Int

    init(version: Int, registry: StageRegistry, complete: Bool, desired: DesiredState) {
        self.version = version
        self.complete = complete
        self.files = registry.entries
        self.desired = desired
        var fileNames: [ObjectName: String] = [:]
        var functions: [ObjectName: FunctionSpec] = [:]
        var errors = 0
        for entry in registry.entries.values {
            if let name = entry.lastGood?.name ?? entry.latest.name { fileNames[name] = entry.fileName }
            if case .function(let spec) = entry.lastGood?.object, let name = entry.lastGood?.name {
                functions[name] = spec
            }
            if entry.latest.hasErrors { errors += 1 }
        }
        self.fileNames = fileNames
        self.functions = functions
        self.filesWithErrors = errors
        var endpoints: [PublicEndpoint] = []
        for name in desired.services.keys.sorted() {
            guard let service = desired.services[name] else { continue }
            var fixed = service.header.ingressPort
            for endpoint in service.spec.endpoints where endpoint.isPublic && endpoint.protocol == .http {
                guard endpoint.port != nil else { continue }
                endpoints.append(PublicEndpoint(service: name, endpoint: endpoint.name, fixedPort: fixed))
                fixed = nil
            }
        }
        self.publicEndpoints = endpoints
    }

    /// The entry of the object `name` (its last good version's name, else its latest read's).
    func entry(named name: ObjectName) -> StageEntry? {
        fileNames[name].flatMap { files[$0] }
    }
}
