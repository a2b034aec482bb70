/// The names floe answers for: each service's SPCS DNS name (its service address) and
/// `instances.<name>` (the addresses of its READY instances). Everything else is not floe's.
public struct DNSTable: Sendable, Hashable {
    /// DNS name -> service address.
    public var services: [String: IPv4Address]
    /// DNS name -> READY instance addresses.
    public var instances: [String: [IPv4Address]]

    public init(services: [String: IPv4Address] = [:], instances: [String: [IPv4Address]] = [:]) {
        self.services = services
        self.instances = instances
    }

    /// What floe says about a name.
    public enum Answer: Sendable, Hashable {
        /// floe's name: these addresses (possibly none: the name exists, with no address now).
        case addresses([IPv4Address])
        /// `instances.<x>` where `x` is no service: no such name.
        case noSuchName
        /// Not floe's: ask the host's resolvers.
        case notOurs
    }

    /// Looks `name` up (lower-case, no trailing dot).
    public func answer(_ name: String) -> Answer {
        if let address = services[name] { return .addresses([address]) }
        if name.hasPrefix("instances.") {
            let service = String(name.dropFirst("instances.".count))
            if let addresses = instances[service] { return .addresses(addresses) }
            if !service.contains(".") { return .noSuchName }
        }
        return .notOurs
    }

    /// The response to `query`, or nil when the host's resolvers must answer it.
    public func response(to query: DNSQuery) -> [UInt8]? {
        switch answer(query.name) {
        case .notOurs:
            return nil
        case .noSuchName:
            return query.response(.nameError)
        case .addresses(let addresses):
            let isA = query.type == DNSQuery.typeA && query.recordClass == DNSQuery.classIN
            // Other types (AAAA, ...) of floe's names: the name exists, with no such records.
            return query.response(.noError, addresses: isA ? addresses : [], ttl: 5)
        }
    }
}
