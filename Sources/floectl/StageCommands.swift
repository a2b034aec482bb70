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
            try StageWriter(stage: info.stage).apply(files)
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
            write("removed \(file); floed stops \(object)\n")
        }
    }
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
            try writer.write(name: jobName.value.lowercased() + ".yaml", content: Array(content.utf8))
            write("job \(jobName) submitted\n")
            guard !async else { return }
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
            write(ContainerStatus.spcsJSON(rows) + "\n")
            if rows.contains(where: { $0.status == "FAILED" }) { throw ExitCode(1) }
            if !finished { throw fail("\(jobName) did not finish within \(timeout) s") }
        }
    }
}
