import FloeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Finds the program a container's `argv[0]` names, the way a shell would.
public enum ExecutableLookup {
    /// The search path used when neither the container's environment nor floed's has `PATH`.
    public static let defaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Resolves `name` to the absolute path of an executable regular file.
    ///
    /// - A name containing `/` is taken as a path, relative to `workingDirectory` unless absolute.
    /// - Otherwise each directory of `environment["PATH"]` (floed's own `PATH` when the container has
    ///   none) is tried in order; empty or relative entries are relative to `workingDirectory`.
    ///
    /// - Throws: ``ContainerStartError/executableNotFound(_:)`` when nothing executable is found.
    public static func resolve(
        _ name: String, workingDirectory: String, environment: [String: String]
    ) throws(ContainerStartError) -> String {
        guard !name.isEmpty else { throw .executableNotFound(name) }
        if name.contains("/") {
            let path = absolute(name, in: workingDirectory)
            guard isExecutableFile(path) else { throw .executableNotFound(name) }
            return path
        }
        let searchPath = environment["PATH"] ?? getenv("PATH").map { String(cString: $0) } ?? defaultSearchPath
        for directory in searchPath.split(separator: ":", omittingEmptySubsequences: false) {
            let base = directory.isEmpty ? workingDirectory : absolute(String(directory), in: workingDirectory)
            let candidate = base.hasSuffix("/") ? base + name : base + "/" + name
            if isExecutableFile(candidate) { return candidate }
        }
        throw .executableNotFound(name)
    }

    /// True when `path` is a regular file (after following links) that floed may execute.
    public static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    static func absolute(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }
}
