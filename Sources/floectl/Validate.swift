import ArgumentParser
import FloeSpec

/// `floectl validate PATH...` (issue 2).
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check stage files and print diagnostics.")

    @Argument(help: "Files or directories (a directory is checked as one stage).")
    var paths: [String]

    func run() async throws {
        throw ExitCode(2)
    }
}
