import FloeCore
import FloeNetwork
import FloeSpec
import Foundation

extension ReconcileLoop {
    /// Loads the state a previous run left and takes back what it started (``RestoreRules``): the
    /// containers that still run are adopted, those that ended while floed was down get their real
    /// status, runs the records do not account for are stopped. Restart counts, job history and results
    /// carry over. The adopted containers go to their runners in ``prepareNetwork()``, once their
    /// networks are known.
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
            saved: loaded ?? World(), runs: runtime.leftRuns(), adopting: true, isAlive: { runtime.isAlive($0) })
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
        restoredAdoptions = rules.adopt
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
    func adoptContainer(_ ref: ContainerRef, _ handle: ContainerHandle, namespace: String?) {
        guard let instance = world.instances[ref.key], let spec = instance.containerSpec(named: ref.container),
            let c = world.container(ref.key, ref.container)
        else { return }
        let logFile = settings.logFile(object: ref.key.object, instance: ref.key.id, container: ref.container)
        let launch = ContainerLaunch(
            service: ref.key.object, instanceID: ref.key.id, containerName: ref.container, argv: [],
            environment: [:], workingDirectory: "/", logFile: logFile, networkNamespace: namespace)
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
        record(nil, nil, nil, "shutdown", "floed stops; instances keep running and are adopted by the next floed")
        await saveNow()
    }

    /// At start, after ``restore()``: sets the network up, keeping the networks of the instances being
    /// adopted (and removing the rest of what the previous floed left), then hands the adopted
    /// containers to their runners. An adopted container whose network could not be kept is restarted
    /// (its process runs in a network that is gone).
    public func prepareNetwork() async throws(NetworkError) {
        let adoptions = restoredAdoptions
        restoredAdoptions = [:]
        let ids = Set(adoptions.keys.map { NetworkHook.id($0.key) })
        let kept = try await network.prepare(keeping: network.isolatesInstances ? ids : [])
        for (ref, handle) in adoptions.sorted(by: { $0.key.description < $1.key.description }) {
            let attachment = kept[NetworkHook.id(ref.key)]
            if let attachment { addresses[ref.key] = attachment.address }
            adoptContainer(ref, handle, namespace: attachment?.namespace)
            if network.isolatesInstances && attachment == nil {
                record(
                    ref.key.object, ref.key.id, ref.container, "network-lost",
                    "the instance's network namespace is gone; restarting the container", level: .warning)
                runners[ref.key]?.restart(ref.container, grace: .seconds(5))
            }
        }
        if !adoptions.isEmpty { changed(publishingRoutes: false) }
    }

    /// At floed's stop: waits for the runners' operations (attaches, detaches) and the publications in
    /// flight, then lets the network remove itself when no instance uses it any more.
    public func shutdownNetwork() async {
        for runner in Array(runners.values) + Array(retiring.values) { await runner.tail?.value }
        await routes.finish()
        await network.shutdown()
    }
}
