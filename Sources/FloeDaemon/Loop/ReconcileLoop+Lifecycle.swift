import FloeCore
import FloeNetwork
import FloeSpec
import Foundation

extension ReconcileLoop {
    /// Loads the state a previous run left and takes back what it started (``RestoreRules``): the
    /// containers that still run are adopted, those that ended while floed was down get their real
    /// status, runs the records do not account for are stopped. Restart counts, job history and results
    /// carry over. Instances with their own network namespaces are not adopted (floed rebuilds the
    /// network when it starts): they are stopped and start again.
    public func restore() async {
        let loaded: World?
        do {
            loaded = try store.load()
        } catch {
            logger.error("state: \(error); starting with no instance records")
            loaded = nil
        }
        let runtime = self.runtime
        let rules = RestoreRules(
            saved: loaded ?? World(), runs: runtime.leftRuns(), adopting: !network.isolatesInstances,
            isAlive: { runtime.isAlive($0) })
        world = rules.world
        for key in rules.rebuilt {
            record(
                key.object, key.id, nil, "rebuilt",
                "instance rebuilt from the record kept with its running process (floed stopped before saving it)")
        }
        for (_, run, reason) in rules.stale {
            let key = run.map(\.key)
            record(key?.object, key?.id, run?.container, "stale", reason, level: .warning)
        }
        await withTaskGroup(of: Void.self) { group in
            for (handle, _, _) in rules.stale {
                group.addTask {
                    await runtime.stop(handle, grace: .seconds(30))
                    if let run = handle.run { runtime.discardRun(run) }
                }
            }
        }
        for run in rules.discard { runtime.discardRun(run) }
        for (ref, handle) in rules.adopt.sorted(by: { $0.key.description < $1.key.description }) {
            adoptContainer(ref, handle)
        }
        if loaded != nil || !rules.adopt.isEmpty {
            record(
                nil, nil, nil, "restored",
                "state restored: \(world.instances.count) instance records, \(world.jobRuns.count) job runs, "
                    + "\(rules.adopt.count) containers to adopt")
        }
        // The restored world is published for the queries; routes go to the network after it is
        // prepared, with the first change.
        changed(publishingRoutes: false)
    }

    /// Hands a container a previous floed started to its instance's runner, described by the spec the
    /// instance was started with; one that was being stopped is stopped again.
    func adoptContainer(_ ref: ContainerRef, _ handle: ContainerHandle) {
        guard let instance = world.instances[ref.key], let spec = instance.containerSpec(named: ref.container),
            let c = world.container(ref.key, ref.container)
        else { return }
        let logFile = settings.logFile(object: ref.key.object, instance: ref.key.id, container: ref.container)
        let launch = ContainerLaunch(
            service: ref.key.object, instanceID: ref.key.id, containerName: ref.container, argv: [],
            environment: [:], workingDirectory: "/", logFile: logFile)
        let start = ContainerStart(
            container: spec, launch: launch, image: registry.image(for: spec.image), runAs: nil, secrets: [:],
            address: addresses[ref.key])
        let runner = runner(for: ref.key)
        runner.adopt(start, handle: handle)
        if c.phase == .stopping || instance.terminating {
            runner.stop(grace: .seconds(stageView.desired.stopGraceSeconds(of: ref.key.object)))
        }
    }

    /// Stops taking work; instances keep running (floed's restart must not kill them). Commands still
    /// waiting are answered without being carried out.
    func shutdown() async {
        shutDown = true
        wakeTask?.cancel()
        probes.removeAll()
        stop()
        record(
            nil, nil, nil, "shutdown",
            network.isolatesInstances
                ? "floed stops; instances keep running and are stopped by the next floed"
                : "floed stops; instances keep running and are adopted by the next floed")
        await saveNow()
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
