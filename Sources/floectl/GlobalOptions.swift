import ArgumentParser
import FloeConfig
import Foundation

/// The options every floectl command takes, before or after the command's name
/// (`floectl --json services` and `floectl services --json` are the same).
///
/// ``Floectl`` declares this group and so does every subcommand: ArgumentParser parses the root's
/// group from the whole command line, wherever the options stand, and hands the subcommand the
/// values the root parsed (an `@OptionGroup` of a type an enclosing command already decoded).
struct GlobalOptions: ParsableArguments {
    /// The section of `--help` these options are listed under.
    static let title = "Global Options"

    @Option(
        help:
            "floed's control socket (default: $FLOE_SOCKET, else the socket in floed's config file, else /run/floe/floed.sock for root, $XDG_RUNTIME_DIR/floe/floed.sock for others)."
    )
    var socket: String?

    @Flag(help: "Print JSON instead of tables and messages (every command).")
    var json = false

    /// `--socket`, else `FLOE_SOCKET`, else the socket floed uses by the same rules: its config
    /// file's `socket:` (when readable), else the default path for this user.
    var socketPath: String {
        FloedConfig.clientSocketPath(
            given: socket, environment: ProcessInfo.processInfo.environment, isRoot: geteuid() == 0)
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
