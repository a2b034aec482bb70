import FloeCore

/// Why a hook will not let a container start: its status message (SPCS's words), for the user. The
/// container stays PENDING and is started again later.
public struct HookFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One step of an instance's life that is not the runtime's: what an instance runner does around
/// each runtime call, as Nomad's alloc runner hooks. A new concern (cgroups, an image's root
/// filesystem, volumes, GPUs) is a new hook, added to the daemon's list in order.
///
/// The runner calls the hooks of one instance one at a time and in order (never two calls for the
/// same instance at once); calls for different instances run concurrently.
public protocol InstanceHook: Sendable {
    /// Before a container starts, in the list's order: may change `start` (its launch above all), or
    /// refuse with the status message.
    func prestart(_ start: inout ContainerStart, instance: InstanceKey) async throws(HookFailure)
    /// After the runtime started the container, in the list's order.
    func poststart(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async
    /// A container a previous floed started runs and was taken back: `start` holds its spec, its log
    /// file and its address (its launch's argv and environment are not known). By default the same as
    /// ``poststart(_:instance:handle:)``: probes and log watching resume; nothing is prepared again.
    func adopted(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async
    /// The container's process ended, or is being stopped (a restart, the instance's stop).
    func stopped(_ ref: ContainerRef) async
    /// The instance will start nothing more (a finished job replica, or before it is forgotten):
    /// release what it holds that others could use (its network).
    func released(_ instance: InstanceKey) async
    /// The instance is gone: remove what it left.
    func forgotten(_ instance: InstanceKey) async
}

extension InstanceHook {
    public func prestart(_ start: inout ContainerStart, instance: InstanceKey) async throws(HookFailure) {}
    public func poststart(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async {}
    public func adopted(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async {
        await poststart(start, instance: instance, handle: handle)
    }
    public func stopped(_ ref: ContainerRef) async {}
    public func released(_ instance: InstanceKey) async {}
    public func forgotten(_ instance: InstanceKey) async {}
}
