import ArgumentParser
import FloeAPI
import Foundation

/// Options every command that talks to floed takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        help:
            "floed's control socket (default: $FLOE_SOCKET, else /run/floe/floed.sock for root, $XDG_RUNTIME_DIR/floe/floed.sock for others)."
    )
    var socket: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    var socketPath: String {
        if let socket { return socket }
        let environment = ProcessInfo.processInfo.environment
        if let fromEnvironment = environment["FLOE_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        return DefaultPaths(environment: environment, isRoot: geteuid() == 0).socket
    }

    var client: ControlClient { ControlClient(socketPath: socketPath) }
}

/// Prints a one-line error and exits non-zero.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("floectl: \(message)\n".utf8))
    return ExitCode(code)
}

/// Runs a command body, turning failures into one clear line and exit code 1.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch let error as CleanExit {
        throw error
    } catch {
        throw fail("\(error)")
    }
}
