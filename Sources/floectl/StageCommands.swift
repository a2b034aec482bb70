import ArgumentParser
import FloeAPI
import FloeSpec
import Foundation

/// The daemon's facts (`GET /v1/info`).
struct DaemonInfo: Decodable {
    var stage: String
    var stateDirectory: String
    var socket: String
    var summary: String
    var pid: Int
}

/// `floectl apply FILE...`: validate, then copy into the stage atomically.
struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate stage files and copy them into floed's stage atomically (write, then rename).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument(help: "Stage files (name.yaml: the object's name is the file name).") var files: [String]

    func run() async throws {
        try await reportingFailures {
            let info = try await global.client.decode(DaemonInfo.self, "/v1/info")
            try StageWriter(stage: info.stage).apply(files, json: global.json)
        }
    }
}

/// `floectl delete NAME`: remove the object's file from the stage (its instances stop).
struct Delete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove an object's file from the stage (DROP SERVICE).")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Argument var name: String

    func run() async throws {
        try await reportingFailures {
            let info = try await global.client.decode(DaemonInfo.self, "/v1/info")
            guard let object = ObjectName(name) else { throw fail("'\(name)' is not a valid name") }
            let writer = StageWriter(stage: info.stage)
            guard let file = writer.file(defining: object) else {
                throw fail("no file in \(info.stage) defines \(object)")
            }
            guard unlink(file) == 0 else {
                throw fail("cannot remove \(file): \(String(cString: strerror(errno)))")
            }
            if global.json { return try printJSON(Outcome(action: "delete", name: object.value, file: file)) }
            write("removed \(file); floed stops \(object)\n")
        }
    }
}

/// What `execute-job --json` prints: the job, its stage file, and (unless `--async`) how it ended.
struct JobOutcome: Encodable {
    /// False when the job FAILED or did not finish in time.
    var ok = true
    /// Always `execute-job`, as ``Outcome/action`` names the command.
    var action = "execute-job"
    /// The job's name.
    var name: String
    /// The stage file floectl wrote for it.
    var file: String
    /// Whether the job reached DONE or FAILED (false with `--async`, which does not wait).
    var finished = false
    /// SYSTEM$GET_SERVICE_STATUS of the job once it ended or the wait ran out; nil with `--async`.
    var containers: [ContainerStatus]?
}

/// `floectl execute-job`: EXECUTE JOB SERVICE.
struct ExecuteJob: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "execute-job",
        abstract: "Run an SPCS spec as a job (EXECUTE JOB SERVICE); waits for DONE or FAILED unless --async.")
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions
    @Option(help: "Compute pool.") var pool: String
    @Argument(help: "The SPCS specification file (spec: ...).") var specFile: String
    @Option(help: "Job name (default: the spec file's name).") var name: String?
    @Option(help: "Replicas (SNOWFLAKE_JOBS_COUNT).") var replicas = 1
    @Flag(name: .customLong("async"), help: "Return once the job is submitted.") var async = false
    @Option(help: "Seconds to wait for the job to finish.") var timeout: Double = 3600

    func run() async throws {
        try await reportingFailures {
            guard let text = FileManager.default.contents(atPath: specFile).map({ String(decoding: $0, as: UTF8.self) })
            else { throw fail("cannot read \(specFile)") }
            let base = ((specFile as NSString).lastPathComponent as NSString).deletingPathExtension
            guard let jobName = ObjectName(name ?? base) else {
                throw fail("'\(name ?? base)' is not a valid job name; pass --name")
            }
            let info = try await global.client.decode(DaemonInfo.self, "/v1/info")
            let writer = StageWriter(stage: info.stage)
            if let existing = writer.file(defining: jobName) {
                throw fail("\(jobName) already exists (\(existing)); remove it first with `floectl delete \(jobName)`")
            }
            let header = "job:\n  computePool: \(pool)\n  replicas: \(replicas)\n"
            let content = header + text + (text.hasSuffix("\n") ? "" : "\n")
            let fileName = jobName.value.lowercased() + ".yaml"
            try writer.write(name: fileName, content: Array(content.utf8))
            var outcome = JobOutcome(name: jobName.value, file: "\(info.stage)/\(fileName)")
            if async {
                if global.json { return try printJSON(outcome) }
                return write("job \(jobName) submitted\n")
            }
            if !global.json { write("job \(jobName) submitted\n") }
            struct Answer: Decodable {
                var reached: Bool
                var status: String
            }
            let deadline = Date().addingTimeInterval(timeout)
            // floed reads the new file within milliseconds; until then the name is unknown to it.
            while Date() < deadline {
                let (status, _, _) = try await global.client.get("/v1/services/\(jobName.value)/instances")
                if status == 200 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            var finished = false
            while !finished && Date() < deadline {
                for target in ["DONE", "FAILED"] {
                    let answer = try await global.client.decode(
                        Answer.self, "/v1/services/\(jobName.value)/wait?for=\(target)&timeout=0.5",
                        timeout: .seconds(30))
                    if answer.reached { finished = true }
                }
            }
            let rows = try await global.client.decode([ContainerStatus].self, "/v1/services/\(jobName.value)/status")
            let failed = rows.contains { $0.status == "FAILED" }
            if global.json {
                outcome.ok = finished && !failed
                outcome.finished = finished
                outcome.containers = rows
                try printJSON(outcome)
            } else {
                write(ContainerStatus.spcsJSON(rows) + "\n")
            }
            if failed { throw ExitCode(1) }
            if !finished { throw fail("\(jobName) did not finish within \(timeout) s") }
        }
    }
}
