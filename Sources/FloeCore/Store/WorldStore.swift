/// Where the world (instance records, restart counts, job history) is kept between runs of floed.
/// The daemon's is a file in the state directory; FloeTesting has one in memory.
public protocol WorldStore: Sendable {
    /// The saved world; nil when none was saved.
    func load() throws -> World?
    /// Saves `world`, replacing what was saved before.
    func save(_ world: World) throws
}
