import Foundation

/// The size of the machine floed runs on, which picks the default pool's instance family.
public struct HostCapacity: Sendable, Hashable {
    /// Online CPUs.
    public var cpus: Int
    /// Physical memory in bytes.
    public var memoryBytes: UInt64

    /// A machine with `cpus` CPUs and `memoryBytes` of memory.
    public init(cpus: Int, memoryBytes: UInt64) {
        self.cpus = cpus
        self.memoryBytes = memoryBytes
    }

    /// This machine.
    public static var current: HostCapacity {
        HostCapacity(
            cpus: ProcessInfo.processInfo.activeProcessorCount, memoryBytes: ProcessInfo.processInfo.physicalMemory)
    }
}
