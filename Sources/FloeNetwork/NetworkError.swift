import Foundation

/// Why floe could not set up or change instance networking; each message says what to do.
public enum NetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The configured range overlaps a route the host already has.
    case rangeOverlapsRoute(range: String, route: String)
    /// A range too small to hold a gateway, instances and service addresses.
    case rangeTooSmall(String)
    /// Every instance address of the range is in use.
    case addressesExhausted(String)
    /// IPv4 forwarding is off and could not be switched on.
    case forwardingDisabled(String)
    /// A command (`ip`, `nft`) failed; with the command and its own words.
    case commandFailed(command: String, output: String)

    public var description: String {
        switch self {
        case .rangeOverlapsRoute(let range, let route):
            "the instance network range \(range) overlaps the host route '\(route)'; "
                + "set networkRange in floed.yaml to a private range the host does not use (or network: host)"
        case .rangeTooSmall(let range):
            "the instance network range \(range) is too small; use a prefix of /26 or shorter (default 10.213.0.0/16)"
        case .addressesExhausted(let range):
            "no free instance address is left in \(range); run fewer instances or configure a larger networkRange"
        case .forwardingDisabled(let reason):
            "IPv4 forwarding is off and floed could not enable it (\(reason)); "
                + "run 'sysctl -w net.ipv4.ip_forward=1' (and add it to /etc/sysctl.d), or set network: host"
        case .commandFailed(let command, let output):
            "'\(command)' failed: \(output.trimmingCharacters(in: .whitespacesAndNewlines)); "
                + "floed needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) and iproute2 and nftables installed, "
                + "or set network: host"
        }
    }
}
