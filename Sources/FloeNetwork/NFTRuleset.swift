/// The nftables table of one floe bridge, rendered as an `nft -f` script that replaces the whole
/// table in one transaction (established connections keep their translation: conntrack holds it).
///
/// - `postrouting`: instances' traffic leaving the range is masqueraded behind the host; traffic
///   that was sent to a service address and translated back into the range is masqueraded too, so
///   the answer comes back through the host (instances share one L2 segment).
/// - `prerouting`/`output` -> `services`: a service address and endpoint port is translated to one
///   of the service's READY instances, round-robin (`numgen inc`); a service without READY
///   instances has no rule, and the `input` chain refuses the connection with a TCP reset.
/// - `forward`: accepts what enters or answers the bridge (for hosts whose default is to drop).
public struct NFTRuleset: Sendable, Hashable {
    /// The bridge, also the table's name (`inet <bridge>`).
    public var bridge: String
    public var range: IPv4Range
    /// service address -> (ports, READY instance addresses)
    public var services: [VirtualService]

    /// One service's virtual address and where its connections go.
    public struct VirtualService: Sendable, Hashable {
        public var address: IPv4Address
        public var ports: [Int]
        public var backends: [String]

        public init(address: IPv4Address, ports: [Int], backends: [String]) {
            self.address = address
            self.ports = ports
            self.backends = backends
        }
    }

    public init(bridge: String, range: IPv4Range, services: [VirtualService]) {
        self.bridge = bridge
        self.range = range
        self.services = services
    }

    /// The script that (re)creates the table: `add` (so deleting never fails), `delete`, then the
    /// table, all in one transaction.
    public var script: String {
        var lines = [
            "add table inet \(bridge)",
            "delete table inet \(bridge)",
            "table inet \(bridge) {",
            "  chain prerouting {",
            "    type nat hook prerouting priority dstnat; policy accept;",
            "    jump services",
            "  }",
            "  chain output {",
            "    type nat hook output priority -100; policy accept;",
            "    jump services",
            "  }",
            "  chain services {",
        ]
        for service in services.sorted(by: { $0.address < $1.address }) where !service.backends.isEmpty {
            for port in service.ports.sorted() {
                let match = "    ip daddr \(service.address) tcp dport \(port) dnat ip to"
                if service.backends.count == 1 {
                    lines.append("\(match) \(service.backends[0])")
                } else {
                    let map = service.backends.enumerated().map { "\($0.offset) : \($0.element)" }
                    lines.append(
                        "\(match) numgen inc mod \(service.backends.count) map { \(map.joined(separator: ", ")) }")
                }
            }
        }
        lines += [
            "  }",
            "  chain postrouting {",
            "    type nat hook postrouting priority srcnat; policy accept;",
            "    ip saddr \(range) ip daddr != \(range) masquerade",
            "    ip saddr \(range) ct status dnat masquerade",
            "  }",
            "  chain forward {",
            "    type filter hook forward priority filter; policy accept;",
            "    iifname \"\(bridge)\" accept",
            "    oifname \"\(bridge)\" ct state established,related accept",
            "  }",
            "  chain input {",
            "    type filter hook input priority filter; policy accept;",
        ]
        let addresses = services.map(\.address).sorted()
        if !addresses.isEmpty {
            let set = addresses.map(\.description).joined(separator: ", ")
            lines.append("    ip daddr { \(set) } meta l4proto tcp reject with tcp reset")
        }
        lines += ["  }", "}"]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The script that removes the table, whether or not it exists.
    public static func removalScript(bridge: String) -> String {
        "add table inet \(bridge)\ndelete table inet \(bridge)\n"
    }
}
