import FloeCore
import FloeSpec

/// What an instance runner starts a container from: the launch the loop built from the desired
/// state (``LaunchBuilder``) and what the hooks read to finish it. Hooks change it in order.
public struct ContainerStart: Sendable {
    /// The container's spec.
    public var container: ContainerSpec
    /// What the runtime gets; hooks fill in the user, secrets and the network namespace.
    public var launch: ContainerLaunch
    /// The stage's image for the container's reference, if there is one.
    public var image: ImageSpec?
    /// The header's `runAs`.
    public var runAs: String?
    /// The secrets as they are when the start was asked for.
    public var secrets: [ObjectName: StoredSecret]
    /// The address the instance's ports are reached at (set by the network hook; nil on the host
    /// network, where they are reached at 127.0.0.1).
    public var address: String?

    public init(
        container: ContainerSpec, launch: ContainerLaunch, image: ImageSpec?, runAs: String?,
        secrets: [ObjectName: StoredSecret], address: String? = nil
    ) {
        self.container = container
        self.launch = launch
        self.image = image
        self.runAs = runAs
        self.secrets = secrets
        self.address = address
    }
}
