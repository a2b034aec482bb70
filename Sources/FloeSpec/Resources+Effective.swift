extension ContainerSpec {
    /// Default request when the file gives none: 0.5 cpu.
    public static let defaultRequestMilliCPU = 500
    /// Default request when the file gives none: 0.5 GiB.
    public static let defaultRequestMemoryBytes: Int64 = 512 << 20

    /// What the scheduler reserves for this container (SPCS.md §1): the request as written, else
    /// the default (0.5 cpu / 0.5 GiB) or the limit, whichever is greater. GPUs: request = limit.
    public var effectiveRequest: ResourceAmounts {
        let requests = resources.requests
        let limits = resources.limits
        return ResourceAmounts(
            milliCPU: requests.milliCPU ?? max(Self.defaultRequestMilliCPU, limits.milliCPU ?? 0),
            memoryBytes: requests.memoryBytes ?? max(Self.defaultRequestMemoryBytes, limits.memoryBytes ?? 0),
            gpus: requests.gpus ?? limits.gpus ?? 0)
    }
}

extension ServiceSpec {
    /// What one instance (all its containers together) reserves on a node.
    public var instanceRequest: ResourceAmounts {
        var total = ResourceAmounts(milliCPU: 0, memoryBytes: 0, gpus: 0)
        for container in containers {
            let r = container.effectiveRequest
            total.milliCPU! += r.milliCPU ?? 0
            total.memoryBytes! += r.memoryBytes ?? 0
            total.gpus! += r.gpus ?? 0
        }
        return total
    }
}
