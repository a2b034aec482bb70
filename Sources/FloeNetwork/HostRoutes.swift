import Foundation

/// The host's IPv4 routes, read from `ip -o -4 route show table all`, to check that floe's range
/// does not clash with anything the host already reaches.
enum HostRoutes {
    /// Route types `ip` prints before the destination.
    static let routeTypes: Set<Substring> = [
        "unicast", "local", "broadcast", "multicast", "anycast", "unreachable", "blackhole", "prohibit", "throw",
        "nat",
    ]

    /// The first route line whose destination overlaps `range` (default routes excluded; routes
    /// through `ignoringDevice` excluded).
    static func firstOverlap(in output: String, with range: IPv4Range, ignoringDevice: String) -> String? {
        for line in output.split(separator: "\n") {
            let tokens = line.split(separator: " ", omittingEmptySubsequences: true)
            guard var destination = tokens.first else { continue }
            if routeTypes.contains(destination), tokens.count > 1 { destination = tokens[1] }
            if destination == "default" { continue }
            if let dev = tokens.firstIndex(of: "dev"), dev + 1 < tokens.count, tokens[dev + 1] == ignoringDevice {
                continue
            }
            guard
                let route = IPv4Range(destination)
                    ?? IPv4Address(destination).map({ IPv4Range(network: $0, prefixLength: 32) })
            else { continue }
            if route.overlaps(range) { return line.trimmingCharacters(in: .whitespaces) }
        }
        return nil
    }
}
