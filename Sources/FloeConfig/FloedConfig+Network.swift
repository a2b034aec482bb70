import FloeNetwork

extension FloedConfig {
    /// How instances are networked.
    public enum NetworkMode: String, Sendable, Hashable, CaseIterable {
        /// Own namespaces when floed is root and `ip` and `nft` are installed; else the host network.
        case auto
        /// Every instance on the host's network (reached at 127.0.0.1; ports may conflict).
        case host
        /// Every instance in its own network namespace; floed refuses to start if it cannot.
        case namespaces
    }

    /// `10.213.0.0/16`: private, and rarely used by home, office or cloud networks.
    public static let defaultNetworkRange = IPv4Range(network: IPv4Address(0x0AD5_0000), prefixLength: 16)
}
