/// The small part of the DNS wire format (RFC 1035) floe's resolver needs: read a query's
/// question, answer it with A records, with no data, or with an error code.
public struct DNSQuery: Sendable, Hashable {
    /// Record types floe answers itself.
    public static let typeA: UInt16 = 1
    public static let classIN: UInt16 = 1

    public var id: UInt16
    /// The query's flags (opcode and RD are copied into the answer).
    public var flags: UInt16
    /// The name asked for: lower-case, without the trailing dot.
    public var name: String
    public var type: UInt16
    public var recordClass: UInt16
    /// The question section as received (echoed in answers).
    var question: [UInt8]

    /// Reads a query; nil when `packet` is not a well-formed standard query with one question.
    public init?(packet: [UInt8]) {
        guard packet.count >= 12 else { return nil }
        let flags = UInt16(packet[2]) << 8 | UInt16(packet[3])
        let isResponse = flags & 0x8000 != 0
        let opcode = (flags >> 11) & 0xF
        let questions = UInt16(packet[4]) << 8 | UInt16(packet[5])
        guard !isResponse, opcode == 0, questions == 1 else { return nil }
        var offset = 12
        var labels: [String] = []
        var total = 0
        while true {
            guard offset < packet.count else { return nil }
            let length = Int(packet[offset])
            offset += 1
            if length == 0 { break }
            // Compression pointers (0xC0) and the reserved forms are not valid in a question.
            guard length <= 63, offset + length <= packet.count else { return nil }
            total += length + 1
            guard total <= 255 else { return nil }
            labels.append(String(decoding: packet[offset..<offset + length], as: UTF8.self).lowercased())
            offset += length
        }
        guard offset + 4 <= packet.count else { return nil }
        self.id = UInt16(packet[0]) << 8 | UInt16(packet[1])
        self.flags = flags
        self.name = labels.joined(separator: ".")
        self.type = UInt16(packet[offset]) << 8 | UInt16(packet[offset + 1])
        self.recordClass = UInt16(packet[offset + 2]) << 8 | UInt16(packet[offset + 3])
        self.question = Array(packet[12..<offset + 4])
    }

    /// Response codes floe uses.
    public enum ResponseCode: UInt16, Sendable {
        case noError = 0
        case serverFailure = 2
        case nameError = 3
    }

    /// An authoritative answer: one A record per address (none: "no data" when the code is
    /// `noError`), `ttl` seconds.
    public func response(_ code: ResponseCode, addresses: [IPv4Address] = [], ttl: UInt32 = 5) -> [UInt8] {
        let answers = code == .noError ? addresses : []
        // QR, opcode and RD from the query, AA, RA.
        let flags = 0x8000 | (self.flags & 0x7900) | 0x0400 | 0x0080 | code.rawValue
        var packet: [UInt8] = []
        packet.reserveCapacity(12 + question.count + answers.count * 16)
        for value in [id, flags, 1, UInt16(answers.count), 0, 0] {
            packet += [UInt8(value >> 8), UInt8(value & 0xFF)]
        }
        packet += question
        for address in answers {
            // Name: a pointer to the question's name at offset 12.
            packet += [0xC0, 0x0C, 0, UInt8(Self.typeA), 0, UInt8(Self.classIN)]
            packet += [UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xFF), UInt8(ttl >> 8 & 0xFF), UInt8(ttl & 0xFF)]
            packet += [0, 4] + address.bytes
        }
        return packet
    }
}
