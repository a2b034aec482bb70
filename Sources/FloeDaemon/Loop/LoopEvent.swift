import FloeCore
import FloeRuntime
import FloeSpec

/// One container of one instance.
public struct ContainerRef: Hashable, Sendable, CustomStringConvertible {
    public var key: InstanceKey
    public var container: String

    public init(_ key: InstanceKey, _ container: String) {
        self.key = key
        self.container = container
    }

    public var description: String { "\(key)/\(container)" }
}

/// Everything that reaches the reconcile loop: what the stage, the runners, the prober manager and
/// the timer observed, and the commands of the control API and the ingress. The loop takes them in
/// batches, in order, and plans after each batch.
enum LoopEvent: Sendable {
    /// Files of the stage changed (names relative to the stage directory).
    case stageChanged(Set<String>)
    /// A full scan of the stage: every file there, and those that differ from what was reported before;
    /// `done` is resumed once the loop took it in.
    case fullScan(names: Set<String>, changed: Set<String>, done: CheckedContinuation<Void, Never>?)
    /// A runner started a container's process.
    case started(ContainerRef, ContainerHandle, runner: Int)
    /// A runner could not start a container (its status message).
    case failedToStart(ContainerRef, reason: String, runner: Int)
    /// A runner took back a container a previous floed started: it runs, or how it ended while floed
    /// was down, or why that is not known.
    case adopted(ContainerRef, ContainerHandle, Adoption, runner: Int)
    /// A container's process ended.
    case exited(ContainerRef, ContainerExit, pid: Int32, runner: Int)
    /// The instance's network was attached: the address its ports are reached at.
    case networkAttached(InstanceKey, address: String, runner: Int)
    /// A runner finished forgetting its instance; the loop may drop it.
    case runnerRetired(InstanceKey, runner: Int)
    /// Probes whose answers change something.
    case probes([ProbeOutcome])
    /// The planner's wake-up time came.
    case timer
    /// A command; `done` is resumed once it was carried out and the snapshot that shows it published.
    case command(LoopCommand, done: CheckedContinuation<Void, Never>?)
}

/// What others ask the loop to do: every change of the world goes through the loop.
enum LoopCommand: Sendable {
    /// ALTER SERVICE ... SUSPEND.
    case suspend(ObjectName)
    /// ALTER SERVICE ... RESUME (or a resume by traffic), with why for the event.
    case resume(ObjectName, why: String)
    /// Ingress or function traffic for the service (AUTO_SUSPEND_SECS).
    case noteTraffic(ObjectName)
    /// A secret was stored (created or updated).
    case secretSet(StoredSecret)
    /// A secret was deleted.
    case secretDeleted(ObjectName)
}
