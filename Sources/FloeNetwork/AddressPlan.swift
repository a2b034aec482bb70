/// How floe divides its range: the gateway (first address, on the bridge), instance addresses
/// from the bottom, service (virtual) addresses from the top quarter.
public struct AddressPlan: Sendable, Hashable {
    public var range: IPv4Range

    /// - Throws: ``NetworkError/rangeTooSmall(_:)`` below 64 addresses.
    public init(range: IPv4Range) throws(NetworkError) {
        guard range.prefixLength <= 26 else { throw .rangeTooSmall(range.description) }
        self.range = range
    }

    /// The bridge's address, which instances route through and ask for DNS.
    public var gateway: IPv4Address { range.address(at: 1) }

    /// Instance slots: slot `n` has the address `network + 2 + n`.
    public var instanceSlots: UInt32 { UInt32(range.size * 3 / 4) - 2 }

    public func instanceAddress(slot: UInt32) -> IPv4Address {
        range.address(at: 2 + slot)
    }

    /// Service address slots: the top quarter, without the broadcast address.
    public var serviceSlots: UInt32 { UInt32(range.size / 4) - 1 }

    public func serviceAddress(slot: UInt32) -> IPv4Address {
        range.address(at: UInt32(range.size * 3 / 4) + slot)
    }

    /// The preferred service slot of a name: a stable hash (FNV-1a), so a service keeps its
    /// address across floed restarts unless two names collide.
    public func preferredServiceSlot(_ name: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        return hash % serviceSlots
    }
}
