import FloeNetwork
import Testing

@Suite struct DNSMessageTests {
    /// `dig example.com A` as sent on the wire: id 0x1234, RD, one question, an EDNS OPT record.
    static let digQuery: [UInt8] =
        [0x12, 0x34, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01]
        + [7] + Array("Example".utf8) + [3] + Array("com".utf8) + [0, 0x00, 0x01, 0x00, 0x01]
        + [0x00, 0x00, 0x29, 0x04, 0xD0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]

    @Test func readsTheQuestion() throws {
        let query = try #require(DNSQuery(packet: Self.digQuery))
        #expect(query.id == 0x1234)
        #expect(query.name == "example.com")
        #expect(query.type == DNSQuery.typeA)
        #expect(query.recordClass == DNSQuery.classIN)
    }

    @Test func rejectsWhatIsNotAQuery() {
        #expect(DNSQuery(packet: []) == nil)
        #expect(DNSQuery(packet: Array(Self.digQuery.prefix(20))) == nil)
        var response = Self.digQuery
        response[2] |= 0x80
        #expect(DNSQuery(packet: response) == nil)
        var pointer = Self.digQuery
        pointer[12] = 0xC0
        #expect(DNSQuery(packet: pointer) == nil)
    }

    @Test func answersWithARecords() throws {
        let query = try #require(DNSQuery(packet: Self.digQuery))
        let packet = query.response(.noError, addresses: [IPv4Address("10.213.0.2")!, IPv4Address("10.213.0.3")!])
        // Header: same id; QR, RD copied, AA, RA; NOERROR; 1 question, 2 answers.
        #expect(Array(packet[0..<12]) == [0x12, 0x34, 0x85, 0x80, 0, 1, 0, 2, 0, 0, 0, 0])
        let questionEnd = 12 + 13 + 4
        #expect(Array(packet[12..<questionEnd]) == Array(Self.digQuery[12..<questionEnd]))
        let first = Array(packet[questionEnd..<questionEnd + 16])
        #expect(first == [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 10, 213, 0, 2])
        #expect(packet.count == questionEnd + 32)
        #expect(Array(packet.suffix(4)) == [10, 213, 0, 3])
    }

    @Test func nameErrorHasNoAnswers() throws {
        let query = try #require(DNSQuery(packet: Self.digQuery))
        let packet = query.response(.nameError, addresses: [IPv4Address("10.0.0.1")!])
        #expect(packet[3] & 0x0F == 3)
        #expect(Array(packet[6..<8]) == [0, 0])
    }

    @Test func tableAnswersServiceAndInstanceNames() throws {
        let table = DNSTable(
            services: ["filter-service": IPv4Address("10.213.200.1")!],
            instances: ["filter-service": [IPv4Address("10.213.0.2")!, IPv4Address("10.213.0.3")!]])
        #expect(table.answer("filter-service") == .addresses([IPv4Address("10.213.200.1")!]))
        #expect(table.answer("instances.filter-service").addressCount == 2)
        #expect(table.answer("instances.other-service") == .noSuchName)
        #expect(table.answer("example.com") == .notOurs)
        #expect(table.answer("instances.example.com") == .notOurs)
    }

    @Test func otherRecordTypesOfOurNamesHaveNoData() throws {
        // An AAAA (28) question for filter-service.
        let name = Array("filter-service".utf8)
        let aaaa: [UInt8] =
            [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0] + [UInt8(name.count)] + name + [0, 0, 28, 0, 1]
        let query = try #require(DNSQuery(packet: aaaa))
        let table = DNSTable(services: ["filter-service": IPv4Address("10.213.200.1")!])
        let response = try #require(table.response(to: query))
        #expect(response[3] & 0x0F == 0)
        #expect(Array(response[6..<8]) == [0, 0])
    }
}

extension DNSTable.Answer {
    var addressCount: Int {
        if case .addresses(let list) = self { return list.count }
        return -1
    }
}
