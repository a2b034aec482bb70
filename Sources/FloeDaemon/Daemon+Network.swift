import FloeNetwork
import FloeRuntime
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

extension Daemon {
    /// The instance network `settings.network` asks for. `auto` gives namespaces when floed is root
    /// and `ip` and `nft` are installed, else the host network; floed logs which and why.
    /// - Throws: ``DaemonError/network(_:)`` when `namespaces` is configured and cannot be had.
    static func makeNetwork(
        _ settings: DaemonSettings, logger: Logger, isRoot: Bool = geteuid() == 0,
        tools: Result<NetworkTools, NetworkTools.MissingTool> = NetworkTools.find()
    ) throws -> any InstanceNetwork {
        let mode = settings.network
        if mode == .host {
            logger.info("instances share the host network (network: host)")
            return HostNetwork()
        }
        let why: String
        switch (isRoot, tools) {
        case (true, .success(let tools)):
            do {
                let network = try NamespaceNetwork(
                    range: settings.networkRange, bridge: settings.networkBridge, tools: tools, logger: logger)
                let range = "range \(settings.networkRange) (network: \(mode.rawValue))"
                logger.info("instances get their own network namespaces on bridge \(settings.networkBridge), \(range)")
                return network
            } catch {
                throw DaemonError.network("\(error)")
            }
        case (false, _):
            why = "floed does not run as root"
        case (true, .failure(let missing)):
            why = "\(missing)"
        }
        if mode == .namespaces {
            throw DaemonError.network(
                "network: namespaces is configured, but \(why); fix that or set network: host (or auto)")
        }
        logger.notice("instances share the host network (network: auto, and \(why)); their ports may conflict")
        return HostNetwork()
    }
}
