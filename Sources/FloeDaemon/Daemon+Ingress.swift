import Hummingbird
import Logging

extension Daemon {
    /// The ingress of public endpoints: token store, listeners, and their control API routes.
    static func makeIngress(
        settings: DaemonSettings, reconciler: Reconciler, router: Router<BasicRequestContext>, logger: Logger
    ) throws -> IngressService {
        let tokens = try AccessTokenStore(stateDirectory: settings.stateDirectory)
        let source = ReconcilerBackendSource(reconciler: reconciler, resumeTimeout: settings.ingress.resumeTimeout)
        let manager = try IngressManager(
            settings: settings.ingress, stateDirectory: settings.stateDirectory, source: source, tokens: tokens,
            logger: logger)
        ControlAPI.addIngressRoutes(to: router, reconciler: reconciler, manager: manager, tokens: tokens)
        return IngressService(reconciler: reconciler, manager: manager)
    }
}
