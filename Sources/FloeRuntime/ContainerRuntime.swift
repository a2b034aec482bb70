import FloeCore
import FloeSpec

/// Runs containers. The embedded default is ``ProcessRuntime`` (host processes); an OCI runtime
/// (runc) can follow behind the same protocol.
public protocol ContainerRuntime: Sendable {
    /// Starts a container. `onExit` is called exactly once, when its main process has ended
    /// (whether it exited by itself or was stopped).
    func start(
        _ launch: ContainerLaunch, onExit: @escaping @Sendable (ContainerExit) -> Void
    ) async throws(ContainerStartError) -> ContainerHandle

    /// Stops a container: SIGTERM to its process group, then SIGKILL to the group after `grace`.
    /// Returns once no process of the group is left.
    func stop(_ handle: ContainerHandle, grace: Duration) async

    /// True while the container described by `handle` (pid and start time) is still alive.
    /// Used after floed restarts, for containers it did not start in this run.
    func isAlive(_ handle: ContainerHandle) -> Bool

    /// Takes back a container a previous floed started and recorded as `handle`: when it still runs,
    /// watches it from now on (`onExit` is called once, when it ends) and answers ``Adoption/running``;
    /// otherwise says how it ended, or why that cannot be known. Never mistakes another process that
    /// now has the recorded pid for the container.
    func adopt(_ handle: ContainerHandle, onExit: @escaping @Sendable (ContainerExit) -> Void) -> Adoption

    /// The runs the runtime holds records of (a previous floed's included), with a handle for those
    /// whose container still runs: what floed compares its own records with when it starts, so that a
    /// container started just before floed died, and not yet in its records, is found.
    func leftRuns() -> [LeftRun]

    /// floed saved records that hold the ends of runs `ids`: their runtime records can go.
    func discardRuns(_ ids: Set<String>)

    /// Removes run `id`'s record now (a left run floed stopped, or one that ended unnamed).
    func discardRun(_ id: String)
}
