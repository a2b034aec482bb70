import FloeSpec

/// The names floe gives network objects, all derived from the bridge name so that two floeds with
/// different bridges never touch each other's objects.
public struct NetworkNames: Sendable, Hashable {
    /// The bridge (`floe0`); also the name of the nftables table (`inet floe0`).
    public var bridge: String

    public init(bridge: String) {
        self.bridge = bridge
    }

    /// True for a usable bridge name: 1 to 8 lower-case letters or digits, starting with a letter
    /// (8, so that `<bridge>v<6 hex digits>` fits the kernel's 15-byte interface names).
    public static func isValidBridgeName(_ name: String) -> Bool {
        guard (1...8).contains(name.utf8.count), let first = name.utf8.first, isLetter(first) else { return false }
        return name.utf8.allSatisfy { isLetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
    }

    /// The SPCS DNS name of a service: lower-case, `_` (and anything else not allowed in a DNS
    /// label) becomes `-`.
    public static func dnsName(_ service: ObjectName) -> String {
        String(
            service.value.lowercased().map { character -> Character in
                character.isASCII && (character.isLetter || character.isNumber) ? character : "-"
            })
    }

    /// The namespace of an instance: `<bridge>-<dns name>-<instance>` (the service part cut to 40
    /// characters).
    public func namespace(_ id: InstanceNetworkID) -> String {
        "\(bridge)-\(Self.dnsName(id.service).prefix(40))-\(id.instance)"
    }

    /// True for a namespace this bridge's floe made.
    public func isOwnNamespace(_ name: String) -> Bool {
        name.hasPrefix("\(bridge)-")
    }

    /// The host side of an instance's veth pair: `<bridge>v<slot in hex>` (at most 15 bytes).
    public func hostVeth(slot: UInt32) -> String {
        "\(bridge)v\(String(slot, radix: 16))"
    }

    /// True for a host-side veth this bridge's floe made.
    public func isOwnVeth(_ name: String) -> Bool {
        let prefix = "\(bridge)v"
        guard name.hasPrefix(prefix) else { return false }
        let digits = name.dropFirst(prefix.count)
        return (1...6).contains(digits.count) && digits.allSatisfy(\.isHexDigit)
    }
}
