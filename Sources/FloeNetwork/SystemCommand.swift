import Subprocess

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Runs the system's network tools (`ip`, `nft`) and collects what they say.
struct SystemCommand: Sendable {
    /// The program's absolute path.
    var path: String

    /// What a finished command said.
    struct Outcome: Sendable {
        var succeeded: Bool
        var output: String
    }

    /// Runs the program with `arguments` and `input` on its stdin.
    func run(_ arguments: [String], input: String = "") async -> Outcome {
        do {
            let result = try await Subprocess.run(
                .path(FilePath(path)), arguments: Arguments(arguments), environment: .inherit,
                input: .string(input), output: .string(limit: 4 << 20), error: .string(limit: 1 << 20))
            let succeeded: Bool
            if case .exited(0) = result.terminationStatus { succeeded = true } else { succeeded = false }
            return Outcome(
                succeeded: succeeded, output: result.standardOutput + result.standardError)
        } catch {
            return Outcome(succeeded: false, output: "could not run \(path): \(error)")
        }
    }

    /// Runs it and throws ``NetworkError/commandFailed(command:output:)`` when it fails.
    @discardableResult
    func check(_ arguments: [String], input: String = "") async throws(NetworkError) -> String {
        let outcome = await run(arguments, input: input)
        guard outcome.succeeded else {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let firstLine = input.split(separator: "\n").first.map { " <<< \($0)" } ?? ""
            throw .commandFailed(
                command: ([name] + arguments).joined(separator: " ") + firstLine, output: outcome.output)
        }
        return outcome.output
    }
}

/// Where `ip` and `nft` are.
public struct NetworkTools: Sendable, Hashable {
    public var ip: String
    public var nft: String

    public init(ip: String, nft: String) {
        self.ip = ip
        self.nft = nft
    }

    /// The directories searched for the tools (PATH is not trusted for programs run as root).
    public static let searchDirectories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin"]

    /// Finds both tools; nil (with the missing one named) when either is not installed.
    public static func find() -> Result<NetworkTools, MissingTool> {
        func locate(_ name: String) -> String? {
            searchDirectories.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
        }
        guard let ip = locate("ip") else { return .failure(MissingTool(name: "ip", package: "iproute2")) }
        guard let nft = locate("nft") else { return .failure(MissingTool(name: "nft", package: "nftables")) }
        return .success(NetworkTools(ip: ip, nft: nft))
    }

    /// A tool that is not installed.
    public struct MissingTool: Error, Sendable, Hashable, CustomStringConvertible {
        public var name: String
        public var package: String

        public init(name: String, package: String) {
            self.name = name
            self.package = package
        }
        public var description: String { "'\(name)' is not installed (package \(package))" }
    }
}
