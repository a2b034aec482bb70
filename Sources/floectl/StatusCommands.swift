import ArgumentParser
import FloeAPI
import Foundation

/// `floectl status NAME [--timeout S]`: exactly what SYSTEM$GET_SERVICE_STATUS returns.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print SYSTEM$GET_SERVICE_STATUS for a service or job (one object per container per instance).")

    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument(help: "Service or job name (case-insensitive).") var name: String
    @Option(help: "Wait up to this many seconds for a steady state (READY; DONE or FAILED for jobs).")
    var timeout: Double?
    @Flag(help: "Indent the JSON.") var pretty = false

    func run() async throws {
        try await reportingFailures {
            var path = "/v1/services/\(queryValue(name))/status"
            if let timeout { path += "?timeout=\(timeout)" }
            let rows = try await global.client.decode(
                [ContainerStatus].self, path, timeout: .seconds((timeout ?? 0) + 30))
            write(ContainerStatus.spcsJSON(rows, pretty: pretty) + "\n")
        }
    }
}

/// `floectl services` / `floectl jobs`: SHOW SERVICES.
struct Services: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List services (SHOW SERVICES).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions

    func run() async throws {
        try await reportingFailures { try await listServices(global: global, jobs: false) }
    }
}

struct Jobs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List job services (SHOW JOB SERVICES).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions

    func run() async throws {
        try await reportingFailures { try await listServices(global: global, jobs: true) }
    }
}

func listServices(global: GlobalOptions, jobs: Bool) async throws {
    let rows = try await global.client.decode([ServiceRow].self, jobs ? "/v1/jobs" : "/v1/services")
    if global.json { return try printJSON(rows) }
    var table = Table(
        [
            "name", "status", "compute_pool", "current_instances", "target_instances", "ready", "updated_on",
            "file_error",
        ])
    for r in rows {
        table.add([
            r.name, r.status, r.computePool, String(r.currentInstances), String(r.targetInstances),
            String(r.readyInstances), r.updatedOn, r.fileError ?? "",
        ])
    }
    write(table.render())
}

/// `floectl describe NAME`: DESCRIBE SERVICE.
struct Describe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Describe a service or job (DESCRIBE SERVICE).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let d = try await global.client.decode(ServiceDescription.self, "/v1/services/\(queryValue(name))")
            if global.json { return try printJSON(d) }
            var table = Table(["property", "value"])
            let pairs: [(String, String)] = [
                ("name", d.name), ("status", d.status), ("compute_pool", d.computePool), ("dns_name", d.dnsName),
                ("current_instances", String(d.currentInstances)), ("target_instances", String(d.targetInstances)),
                ("min_ready_instances", String(d.minReadyInstances)), ("min_instances", String(d.minInstances)),
                ("max_instances", String(d.maxInstances)), ("auto_resume", String(d.autoResume)),
                ("created_on", d.createdOn), ("updated_on", d.updatedOn), ("is_job", String(d.isJob)),
                ("spec_digest", d.specDigest), ("is_upgrading", String(d.isUpgrading)), ("file", d.file),
            ]
            for (k, v) in pairs { table.add([k, v]) }
            if let message = d.message { table.add(["message", message]) }
            write(table.render())
            if !d.diagnostics.isEmpty {
                write("\ndiagnostics of the file's latest version:\n")
                for line in d.diagnostics { write("  \(line)\n") }
            }
            write("\nspec:\n")
            write(
                d.spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  \($0)" }.joined(
                    separator: "\n"))
            write("\n")
        }
    }
}

/// `floectl containers NAME`: SHOW SERVICE CONTAINERS IN SERVICE.
struct Containers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a service's containers (SHOW SERVICE CONTAINERS).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let rows = try await global.client.decode(
                [ContainerRow].self, "/v1/services/\(queryValue(name))/containers")
            if global.json { return try printJSON(rows) }
            var table = Table([
                "instance_id", "container_name", "status", "message", "restart_count", "start_time", "last_exit_code",
                "last_restart_time",
            ])
            for r in rows {
                table.add([
                    r.instanceId, r.containerName, r.status, r.message, String(r.restartCount), r.startTime ?? "",
                    r.lastExitCode.map(String.init) ?? "", r.lastRestartTime ?? "",
                ])
            }
            write(table.render())
        }
    }
}

/// `floectl instances NAME`: SHOW SERVICE INSTANCES IN SERVICE.
struct Instances: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List a service's instances (SHOW SERVICE INSTANCES).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let rows = try await global.client.decode([InstanceRow].self, "/v1/services/\(queryValue(name))/instances")
            if global.json { return try printJSON(rows) }
            var table = Table([
                "instance_id", "status", "spec_digest", "creation_time", "start_time", "ip_address", "node",
            ])
            for r in rows {
                table.add([
                    r.instanceId, r.status, String(r.specDigest.prefix(16)), r.creationTime, r.startTime ?? "",
                    r.ipAddress, r.node ?? "",
                ])
            }
            write(table.render())
        }
    }
}

/// `floectl pools`: SHOW COMPUTE POOLS.
struct Pools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List compute pools (SHOW COMPUTE POOLS).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions

    func run() async throws {
        try await reportingFailures {
            let rows = try await global.client.decode([PoolRow].self, "/v1/pools")
            if global.json { return try printJSON(rows) }
            var table = Table([
                "name", "state", "min_nodes", "max_nodes", "instance_family", "num_services", "num_jobs",
                "active_nodes",
                "idle_nodes",
            ])
            for r in rows {
                table.add([
                    r.name, r.state, String(r.minNodes), String(r.maxNodes), r.instanceFamily, String(r.numServices),
                    String(r.numJobs), String(r.activeNodes), String(r.idleNodes),
                ])
            }
            write(table.render())
        }
    }
}

/// `floectl events [NAME]`.
struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what floed did and why, newest last.")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String?
    @Option(help: "At most this many events.") var limit = 100

    func run() async throws {
        try await reportingFailures {
            var path = "/v1/events?limit=\(limit)"
            if let name { path += "&object=\(queryValue(name))" }
            let rows = try await global.client.decode([EventRecord].self, path)
            if global.json { return try printJSON(rows) }
            var table = Table(["time", "object", "instance", "container", "reason", "message"])
            for e in rows { table.add([e.time, e.object, e.instanceId ?? "", e.container ?? "", e.reason, e.message]) }
            write(table.render())
        }
    }
}

/// `floectl wait NAME... --for READY|RUNNING|DONE|FAILED [--timeout S]`.
struct Wait: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Wait until services are READY (or RUNNING), or jobs DONE or FAILED; exit 1 when one is not there in time.",
        discussion: "Several names are waited for together, with one timeout for all.")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument(help: "Service or job names.") var names: [String]
    @Option(name: .customLong("for"), help: "READY, RUNNING, DONE or FAILED.") var target = "READY"
    @Option(help: "Seconds to wait.") var timeout: Double = 300

    func validate() throws {
        guard WaitRequest.targets.contains(target.uppercased()) else {
            throw ValidationError("--for takes READY, RUNNING, DONE or FAILED, not '\(target)'")
        }
        guard !names.isEmpty else { throw ValidationError("name a service or job to wait for") }
        guard timeout.isFinite, timeout >= 0 else { throw ValidationError("--timeout takes seconds, 0 or more") }
    }

    func run() async throws {
        try await reportingFailures {
            let target = target.uppercased()
            let request = WaitRequest(names: names, target: target, timeout: timeout)
            let (status, body, _) = try await global.client.send(
                .POST, "/v1/wait", body: Array(try JSONEncoder().encode(request)),
                timeout: .seconds(min(timeout, WaitRequest.longestTimeout) + 30))
            guard status == 200 else { throw fail(ControlClient.errorMessage(body)) }
            guard let answer = try? JSONDecoder().decode(WaitAnswer.self, from: Data(body)) else {
                throw fail("floed sent an answer floectl cannot read; are both the same version?")
            }
            if global.json {
                try printJSON(answer)
            } else {
                for object in answer.objects where object.reached {
                    write("\(object.name) is \(target)\n")
                }
            }
            let missed = answer.objects.filter { !$0.reached }
            guard missed.isEmpty else {
                let list = missed.map { "\($0.name) is \($0.status)" }.joined(separator: ", ")
                throw fail("not \(target) within \(timeout) s: \(list)")
            }
        }
    }
}
