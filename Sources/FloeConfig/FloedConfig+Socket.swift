extension FloedConfig {
    /// The environment variable that tells clients (floectl) where floed's control socket is.
    public static let socketEnvironmentVariable = "FLOE_SOCKET"

    /// The control socket a client such as floectl connects to: `given` (its `--socket`), else
    /// `FLOE_SOCKET` when set and not empty, else the socket floed uses by the same rules: the `socket`
    /// key of floed's default config file (when it exists and is valid), else the default path for
    /// this user.
    ///
    /// - Parameters:
    ///   - given: the path the user named on the command line, if any.
    ///   - environment: for `FLOE_SOCKET` and the variables ``defaults(environment:isRoot:host:)`` reads.
    ///   - isRoot: whether the client runs as root, so that it looks where a root floed listens.
    public static func clientSocketPath(given: String?, environment: [String: String], isRoot: Bool) -> String {
        if let given { return given }
        if let fromEnvironment = environment[socketEnvironmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return load(path: nil, environment: environment, isRoot: isRoot).0?.socket
            ?? defaults(environment: environment, isRoot: isRoot).socket
    }
}
