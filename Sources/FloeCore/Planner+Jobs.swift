import FloeSpec
import Foundation

extension PlanningPass {
    /// Jobs: REPLICAS instances run their containers to completion; DONE when all exit 0, FAILED
    /// otherwise (after `retries` more attempts). A changed file runs the job again.
    mutating func planJob(_ job: DesiredJob) {
        let instances = instancesOf(job.name)
        guard let run = world.jobRuns[job.name], run.digest == job.digest else {
            // A new run: stop what still runs of the old one first.
            let running = instances.filter { !$0.isQuiet }
            if running.isEmpty {
                emit(.startJobRun(job.name, digest: job.digest))
                placeReplicas(job)
            } else {
                for instance in running where !instance.terminating { emit(.stopInstance(instance.key, .rerun)) }
            }
            return
        }
        guard run.result == nil else { return }
        placeReplicas(job)
        var finished = 0
        var anyFailed = false
        for instance in instancesOf(job.name) where !instance.terminating {
            if instance.failed && instance.attempt <= job.header.retries {
                // The retry is placed like any instance (its old room may be taken by now). Without
                // room the failed replica stays as it is, keeping its attempt count, until room frees.
                placeInstance(
                    instance.key, digest: job.digest, spec: job.spec, pool: job.pool, attempt: instance.attempt + 1,
                    recordFailure: false)
                continue
            }
            if instance.succeeded || instance.failed {
                finished += 1
                anyFailed = anyFailed || instance.failed
            } else if instance.node != nil {
                planContainers(world.instances[instance.key]!, restartable: false)
            }
        }
        if finished == job.header.replicas {
            emit(.finishJobRun(job.name, anyFailed ? .failed : .done))
        }
    }

    mutating func placeReplicas(_ job: DesiredJob) {
        for id in 0..<job.header.replicas {
            let key = InstanceKey(job.name, id)
            if let existing = world.instances[key], existing.node != nil || existing.terminating { continue }
            placeInstance(key, digest: job.digest, spec: job.spec, pool: job.pool, attempt: 1)
            if let placed = world.instances[key], placed.node != nil {
                planContainers(placed, restartable: false)
            }
        }
    }
}
