import FloeCore
import FloeNetwork
import FloeSpec
import Foundation

extension ReconcileLoop {
    /// Loads the state a previous run left, and stops the instances it left behind (floe does not
    /// adopt them yet): restart counts, job history and results carry over.
    public func restore() async {
        let loaded: World?
        do {
            loaded = try store.load()
        } catch {
            logger.error("state: \(error); starting with no instance records")
            loaded = nil
        }
        guard var saved = loaded else { return }
        var stale: [(InstanceKey, String, ContainerHandle)] = []
        for (key, instance) in saved.instances {
            for c in instance.containers {
                if let handle = c.handle, runtime.isAlive(handle) { stale.append((key, c.name, handle)) }
            }
            var instance = instance
            for i in instance.containers.indices {
                let phase = instance.containers[i].phase
                instance.containers[i].handle = nil
                instance.containers[i].ready = false
                if phase == .running || phase == .starting || phase == .stopping {
                    instance.containers[i].phase = instance.isJob ? .exited : .waiting
                    instance.containers[i].nextStartAt = nil
                    if instance.isJob && instance.containers[i].lastExit == nil {
                        instance.containers[i].lastExit = ContainerExit(exitCode: nil, signal: 15)
                    }
                }
            }
            saved.instances[key] = instance
        }
        world = saved
        for (key, container, handle) in stale {
            record(
                key.object, key.id, container, "stale", "stopping process \(handle.pid) left by a previous floed run")
        }
        let runtime = self.runtime
        await withTaskGroup(of: Void.self) { group in
            for (_, _, handle) in stale {
                group.addTask { await runtime.stop(handle, grace: .seconds(30)) }
            }
        }
        record(
            nil, nil, nil, "restored",
            "state restored: \(world.instances.count) instance records, \(world.jobRuns.count) job runs")
        // The restored world is published for the queries; routes go to the network after it is
        // prepared, with the first change.
        changed(publishingRoutes: false)
    }

    /// Stops taking work; instances keep running (floed's restart must not kill them). Commands still
    /// waiting are answered without being carried out.
    func shutdown() async {
        shutDown = true
        wakeTask?.cancel()
        probes.removeAll()
        stop()
        await saveNow()
        record(nil, nil, nil, "shutdown", "floed stops; instances keep running and are stopped by the next floed")
    }

    /// At start, after the instances a previous floed left were stopped: removes the networking
    /// it left and sets the network up.
    public func prepareNetwork() async throws(NetworkError) {
        try await network.prepare()
    }

    /// At floed's stop: waits for the runners' operations (attaches, detaches) and the publications in
    /// flight, then lets the network remove itself when no instance uses it any more.
    public func shutdownNetwork() async {
        for runner in Array(runners.values) + Array(retiring.values) { await runner.tail?.value }
        await routes.finish()
        await network.shutdown()
    }
}
