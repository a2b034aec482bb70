import FloeCore

/// Starts a container's readiness and liveness probes once it runs (at the instance's address), and
/// stops them when its process ends or is stopped.
struct ProbeHook: InstanceHook {
    let probes: ProbeManager

    func poststart(_ start: ContainerStart, instance: InstanceKey, handle: ContainerHandle) async {
        probes.start(
            ContainerRef(instance, start.container.name), spec: start.container, host: start.address ?? "127.0.0.1")
    }

    func stopped(_ ref: ContainerRef) async {
        probes.stop(ref)
    }
}
