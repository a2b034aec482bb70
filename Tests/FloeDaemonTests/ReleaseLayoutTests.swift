import Foundation
import Testing

/// The release layout of floed's code (measured in bench/RESULTS.md, "floed's code layout"): the link
/// orders floed's functions by `Sources/floed/floed.order`, and `bench/text_residency.py` shows the result.
@Suite struct ReleaseLayoutTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs `arguments` with `environment` added, returning the exit status and the combined output.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws
        -> (Int32, String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func text(_ path: String) throws -> String {
        try String(contentsOf: repo.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func orderingFileListsFunctionsFloedRuns() throws {
        let names = try Self.text("Sources/floed/floed.order").split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast()  // the text ends with a newline
        #expect(names.count > 1000)
        #expect(names.allSatisfy { !$0.isEmpty && !$0.contains(" ") && !$0.contains("\t") })
        #expect(Set(names).count == names.count)
        // floed's own code, the event loop and the runtime's allocator are in any run.
        #expect(names.contains { $0.hasPrefix("$s10FloeDaemon") })
        #expect(names.contains { $0.hasPrefix("$s8NIOPosix19SelectableEventLoop") })
        #expect(names.contains("swift_allocObject"))
        let flag = "--symbol-ordering-file=\\(Context.packageDirectory)/Sources/floed/floed.order"
        #expect(try Self.text("Package.swift").contains(flag))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
    func textResidencyReportsTheResidentCodeOfARunningProcess() throws {
        // This test process runs floe's modules, so their code is resident and the tool must say so.
        let script = Self.repo.appendingPathComponent("bench/text_residency.py").path
        let pid = ProcessInfo.processInfo.processIdentifier
        let (status, output) = try Self.run("/usr/bin/python3", [script, "--pid", "\(pid)", "--top", "3"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("| component (text, r-xp) | resident KiB |"))
        let floeRow = output.split(separator: "\n").first { $0.hasPrefix("| floe |") }
        let resident = floeRow.flatMap { $0.split(separator: "|").dropFirst().first }.flatMap {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        #expect((resident ?? 0) > 0, "\(output)")
    }
}
