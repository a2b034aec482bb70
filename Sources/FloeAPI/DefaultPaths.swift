/// Where floed keeps things when nothing else is said: system paths for root, XDG paths for others.
public struct DefaultPaths: Sendable, Hashable {
    public var stage: String
    public var stateDirectory: String
    public var socket: String
    public var config: String

    /// The defaults for a user (`isRoot`) with this environment.
    public init(environment: [String: String], isRoot: Bool) {
        if isRoot {
            stage = "/var/lib/floe/stage"
            stateDirectory = "/var/lib/floe"
            socket = "/run/floe/floed.sock"
            config = "/etc/floe/floed.yaml"
            return
        }
        let home = environment["HOME"] ?? "/tmp"
        let stateHome = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.local/state"
        let configHome = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "\(home)/.config"
        stateDirectory = "\(stateHome)/floe"
        stage = "\(stateHome)/floe/stage"
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            socket = "\(runtime)/floe/floed.sock"
        } else {
            socket = "\(stateHome)/floe/floed.sock"
        }
        config = "\(configHome)/floe/floed.yaml"
    }
}
