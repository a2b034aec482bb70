import Foundation
import Logging

/// The ports allocated to public endpoints from floed's range, kept in
/// `<state>/ingress/ports.json` so that an endpoint keeps its port (and URL) across restarts.
struct IngressPortBook: Sendable {
    static let key = StateKey(folder: "ingress", name: "ports")
    let directory: StateDirectory
    /// `SERVICE.endpoint` -> port.
    private(set) var ports: [String: Int]

    init(stateDirectory: String, logger: Logger) throws {
        directory = try StateDirectory(root: stateDirectory)
        do {
            ports = try directory.load([String: Int].self, key: Self.key) ?? [:]
        } catch {
            logger.error("ingress: \(error); allocating ingress ports afresh")
            ports = [:]
        }
    }

    /// The port kept for `key`, if any.
    func port(for key: String) -> Int? { ports[key] }

    /// The lowest port of `range` that no other endpoint keeps and that is not in `busy`.
    func free(in range: ClosedRange<Int>, busy: Set<Int>) -> Int? {
        let taken = Set(ports.values).union(busy)
        return range.first { !taken.contains($0) }
    }

    /// Keeps `port` for `key` (saved at once).
    mutating func keep(_ port: Int, for key: String, logger: Logger) {
        guard ports[key] != port else { return }
        ports[key] = port
        save(logger)
    }

    /// Forgets the ports of endpoints that no longer exist.
    mutating func retain(only keys: Set<String>, logger: Logger) {
        let before = ports.count
        ports = ports.filter { keys.contains($0.key) }
        if ports.count != before { save(logger) }
    }

    private func save(_ logger: Logger) {
        do {
            try directory.save(ports, as: Self.key)
        } catch {
            logger.error("ingress: could not save the port book: \(error)")
        }
    }
}
