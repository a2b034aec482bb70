import Hummingbird
import Logging

extension Daemon {
    /// The ingress of public endpoints: token store, listeners, and their control API routes.
    static func makeIngress(
        settings: DaemonSettings, queries: ServiceQueries, router: Router<BasicRequestContext>, logger: Logger
    ) throws -> IngressService {
        let tokens = try AccessTokenStore(stateDirectory: settings.stateDirectory)
        let source = SnapshotBackendSource(queries: queries, resumeTimeout: settings.ingress.resumeTimeout)
        let manager = try IngressManager(
            settings: settings.ingress, stateDirectory: settings.stateDirectory, source: source, tokens: tokens,
            logger: logger)
        router.addRoutes(IngressRoutes.collection(queries: queries, manager: manager))
        router.addRoutes(TokenRoutes.collection(tokens: tokens))
        return IngressService(queries: queries, manager: manager)
    }
}
