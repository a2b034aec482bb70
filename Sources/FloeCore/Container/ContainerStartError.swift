/// Why a container could not start.
public enum ContainerStartError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The program was not found or is not executable (SPCS: "Failed to pull image").
    case executableNotFound(String)
    /// The working directory does not exist.
    case workingDirectoryMissing(String)
    /// Any other failure to spawn, with the system's words.
    case spawnFailed(String)

    public var description: String {
        switch self {
        case .executableNotFound(let path): "executable '\(path)' not found or not executable"
        case .workingDirectoryMissing(let path): "working directory '\(path)' does not exist"
        case .spawnFailed(let reason): "could not start the process: \(reason)"
        }
    }
}
