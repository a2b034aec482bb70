/// An SPCS compute-pool instance family: the size of one node.
public struct InstanceFamily: Sendable, Hashable, Codable, CustomStringConvertible {
    /// e.g. `CPU_X64_XS`.
    public var name: String
    public var vCPUs: Int
    public var memoryGiB: Int
    public var gpus: Int
    /// GPU model, e.g. `A10G`, for GPU families.
    public var gpuModel: String?

    public init(name: String, vCPUs: Int, memoryGiB: Int, gpus: Int = 0, gpuModel: String? = nil) {
        self.name = name
        self.vCPUs = vCPUs
        self.memoryGiB = memoryGiB
        self.gpus = gpus
        self.gpuModel = gpuModel
    }

    /// Node capacity in millicores.
    public var milliCPU: Int { vCPUs * 1000 }
    /// Node capacity in bytes.
    public var memoryBytes: Int64 { Int64(memoryGiB) << 30 }

    public var description: String { name }

    /// The families SPCS offers (vCPU / GiB / GPU per node).
    public static let all: [InstanceFamily] = [
        InstanceFamily(name: "CPU_X64_XS", vCPUs: 1, memoryGiB: 6),
        InstanceFamily(name: "CPU_X64_S", vCPUs: 3, memoryGiB: 13),
        InstanceFamily(name: "CPU_X64_M", vCPUs: 6, memoryGiB: 28),
        InstanceFamily(name: "CPU_X64_SL", vCPUs: 14, memoryGiB: 58),
        InstanceFamily(name: "CPU_X64_L", vCPUs: 28, memoryGiB: 116),
        InstanceFamily(name: "HIGHMEM_X64_S", vCPUs: 6, memoryGiB: 58),
        InstanceFamily(name: "HIGHMEM_X64_M", vCPUs: 28, memoryGiB: 240),
        InstanceFamily(name: "HIGHMEM_X64_L", vCPUs: 124, memoryGiB: 984),
        InstanceFamily(name: "GPU_NV_S", vCPUs: 6, memoryGiB: 28, gpus: 1, gpuModel: "A10G"),
        InstanceFamily(name: "GPU_NV_M", vCPUs: 44, memoryGiB: 178, gpus: 4, gpuModel: "A10G"),
        InstanceFamily(name: "GPU_NV_L", vCPUs: 92, memoryGiB: 1112, gpus: 8, gpuModel: "A100"),
    ]

    /// The family named `name` (case-insensitive), if SPCS has one.
    public static func named(_ name: String) -> InstanceFamily? {
        let upper = name.uppercased()
        return all.first { $0.name == upper }
    }
}
