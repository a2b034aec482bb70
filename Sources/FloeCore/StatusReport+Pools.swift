import FloeSpec
import Foundation

extension StatusReport {
    /// A pool's state and counts, as SHOW COMPUTE POOLS shows them:
    /// - SUSPENDED: suspended and without nodes (also a new INITIALLY_SUSPENDED pool not planned yet);
    /// - STOPPING: suspended, with nodes still being removed;
    /// - STARTING: running with fewer than MIN_NODES nodes;
    /// - RESIZING: more than MAX_NODES nodes, or idle nodes above MIN_NODES still there;
    /// - ACTIVE: an instance is placed on it; IDLE: nothing is.
    public static func pool(_ name: ObjectName, spec: ComputePoolSpec, world: World) -> PoolStatus {
        let nodes = Set(world.nodes[name] ?? [])
        let placed = world.instances.values.filter { $0.node?.pool == name && $0.occupiesNode }
        let busyNodes = Set(placed.compactMap { $0.node?.index }).intersection(nodes)
        let activity = world.pools[name]
        let state: PoolState
        if activity?.suspended == true || (activity == nil && spec.initiallySuspended && nodes.isEmpty) {
            state = nodes.isEmpty ? .suspended : .stopping
        } else if nodes.count < spec.minNodes {
            state = .starting
        } else if nodes.count > spec.maxNodes || (nodes.count > spec.minNodes && nodes.count > busyNodes.count) {
            state = .resizing
        } else {
            state = placed.isEmpty ? .idle : .active
        }
        return PoolStatus(
            state: state, numServices: Set(placed.filter { !$0.isJob }.map(\.key.object)).count,
            numJobs: Set(placed.filter(\.isJob).map(\.key.object)).count, activeNodes: busyNodes.count,
            idleNodes: nodes.count - busyNodes.count, idleSince: activity?.idleSince,
            suspendedAt: activity?.suspendedAt, resumedAt: activity?.resumedAt)
    }
}
