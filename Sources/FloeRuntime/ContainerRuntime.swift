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
}
