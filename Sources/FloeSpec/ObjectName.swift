/// An SPCS identifier naming a stage object: letters, digits, `_` and `$`, starting with a letter
/// or `_`. Identifiers are case-insensitive; floe stores and shows them upper-case.
public struct ObjectName: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The canonical (upper-case) form.
    public let value: String

    /// Validates and canonicalises `raw`; nil when it is not an SPCS identifier.
    public init?(_ raw: String) {
        guard let first = raw.unicodeScalars.first, raw.unicodeScalars.count <= 255 else { return nil }
        func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
        guard isLetter(first) || first == "_" else { return nil }
        for c in raw.unicodeScalars where !(isLetter(c) || (c >= "0" && c <= "9") || c == "_" || c == "$") {
            return nil
        }
        value = raw.uppercased()
    }

    /// The DNS name SPCS gives a service: lower-case, underscores become dashes.
    public var dnsName: String { value.lowercased().replacingOccurrences(of: "_", with: "-") }

    public var description: String { value }

    public static func < (lhs: ObjectName, rhs: ObjectName) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        guard let name = ObjectName(raw) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not an identifier: \(raw)"))
        }
        self = name
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
