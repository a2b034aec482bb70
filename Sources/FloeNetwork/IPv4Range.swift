/// An IPv4 network in CIDR form (`10.213.0.0/16`).
public struct IPv4Range: Sendable, Hashable, CustomStringConvertible {
    /// The first address (host bits zero).
    public var network: IPv4Address
    /// The prefix length, 0...32.
    public var prefixLength: Int

    /// A range from its network address and prefix; host bits of `network` are cleared.
    public init(network: IPv4Address, prefixLength: Int) {
        let length = min(max(prefixLength, 0), 32)
        self.prefixLength = length
        self.network = IPv4Address(network.value & Self.mask(length))
    }

    /// Parses `a.b.c.d/n`; a bare address is a /32. Nil when malformed or when host bits are set
    /// (`10.213.0.1/16` is almost always a typo for `10.213.0.0/16`).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPv4Address(parts[0]) else { return nil }
        var length = 32
        if parts.count == 2 {
            guard (1...2).contains(parts[1].count), let parsed = Int(parts[1]), (0...32).contains(parsed) else {
                return nil
            }
            length = parsed
        }
        guard address.value & ~Self.mask(length) == 0 else { return nil }
        self.init(network: address, prefixLength: length)
    }

    static func mask(_ length: Int) -> UInt32 {
        length == 0 ? 0 : UInt32.max << UInt32(32 - length)
    }

    /// How many addresses the range holds (2^(32 - prefix)).
    public var size: UInt64 { UInt64(1) << UInt64(32 - prefixLength) }

    /// The last address (the broadcast address of the network).
    public var last: IPv4Address { IPv4Address(network.value | ~Self.mask(prefixLength)) }

    /// The address `offset` places after the network address.
    public func address(at offset: UInt32) -> IPv4Address {
        IPv4Address(network.value &+ offset)
    }

    public func contains(_ address: IPv4Address) -> Bool {
        address.value & Self.mask(prefixLength) == network.value
    }

    /// True when the two ranges share at least one address.
    public func overlaps(_ other: IPv4Range) -> Bool {
        contains(other.network) || other.contains(network)
    }

    public var description: String { "\(network)/\(prefixLength)" }
}
