import FloeNetwork
import FloeSpec

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension FloedConfig {
    /// The configuration file read when `--config` is not given: `/etc/floe/floed.yaml` for root,
    /// `$XDG_CONFIG_HOME/floe/floed.yaml` (or `~/.config/floe/floed.yaml`) for anyone else.
    public static func defaultPath(environment: [String: String], isRoot: Bool) -> String {
        if isRoot { return "/etc/floe/floed.yaml" }
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") {
            return config + "/floe/floed.yaml"
        }
        return homeDirectory(environment) + "/.config/floe/floed.yaml"
    }

    /// The configuration with nothing configured.
    public static func defaults(
        environment: [String: String], isRoot: Bool, host: HostCapacity = .current
    ) -> FloedConfig {
        resolve(FloedConfigOverrides(), environment: environment, isRoot: isRoot, host: host)
    }

    /// The name of the pool that objects without `computePool` use.
    public static let defaultPoolName = ObjectName("DEFAULT_POOL")!

    /// The largest `CPU_X64_*` family whose vCPUs and memory both fit `host`, else `CPU_X64_XS`.
    public static func defaultInstanceFamily(for host: HostCapacity) -> InstanceFamily {
        let fitting = InstanceFamily.all.filter { family in
            family.name.hasPrefix("CPU_X64_") && family.vCPUs <= host.cpus
                && UInt64(family.memoryBytes) <= host.memoryBytes
        }
        let fallback = InstanceFamily.named("CPU_X64_XS") ?? InstanceFamily(name: "CPU_X64_XS", vCPUs: 1, memoryGiB: 6)
        return fitting.max { ($0.vCPUs, $0.memoryGiB) < ($1.vCPUs, $1.memoryGiB) } ?? fallback
    }

    /// Fills in whatever `settings` leaves out. Values that depend on others follow them: the stage
    /// is `<stateDir>/stage` and, without `XDG_RUNTIME_DIR`, a non-root socket is `<stateDir>/floed.sock`.
    static func resolve(
        _ settings: FloedConfigOverrides, environment: [String: String], isRoot: Bool, host: HostCapacity
    ) -> FloedConfig {
        let stateDir = settings.stateDir ?? defaultStateDir(environment: environment, isRoot: isRoot)
        let socket: String
        if let given = settings.socket {
            socket = given
        } else if isRoot {
            socket = "/run/floe/floed.sock"
        } else if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") {
            socket = runtime + "/floe/floed.sock"
        } else {
            socket = stateDir + "/floed.sock"
        }
        let minNodes = settings.minNodes ?? 1
        // The default pool has no file: it never auto-suspends (AUTO_SUSPEND_SECS 0).
        let pool = ComputePoolSpec(
            minNodes: minNodes, maxNodes: settings.maxNodes ?? max(minNodes, 1),
            instanceFamily: settings.instanceFamily ?? defaultInstanceFamily(for: host), autoSuspendSecs: 0)
        var config = FloedConfig(
            stage: settings.stage ?? stateDir + "/stage",
            stateDir: stateDir,
            socket: socket,
            socketGroup: settings.socketGroup ?? "floe",
            rescanSeconds: settings.rescanSeconds ?? 20,
            defaultPool: DefaultPool(name: settings.defaultPoolName ?? defaultPoolName, spec: pool),
            defaultUser: settings.defaultUser ?? "floe",
            allowStageGroup: settings.allowStageGroup,
            stopGraceSeconds: settings.stopGraceSeconds ?? 30,
            logSizeLimitBytes: settings.logSizeLimitBytes ?? 10 << 20,
            jobRetentionDays: settings.jobRetentionDays ?? 30,
            log: Log(target: settings.logTarget ?? .auto, level: settings.logLevel ?? .info),
            ingressAddress: settings.ingressAddress ?? "127.0.0.1", ingressPorts: settings.ingressPorts ?? 8400...8499,
            ingressResumeSeconds: settings.ingressResumeSeconds ?? 60,
            network: settings.network ?? .auto, networkRange: settings.networkRange ?? defaultNetworkRange,
            networkBridge: settings.networkBridge ?? "floe0")
        config.imageRoots = settings.imageRoots ?? []
        return config
    }

    static func defaultStateDir(environment: [String: String], isRoot: Bool) -> String {
        if isRoot { return "/var/lib/floe" }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/floe"
        }
        return homeDirectory(environment) + "/.local/state/floe"
    }

    /// `$HOME`, else the password database's home for this user, else `/tmp/floe-<uid>`.
    static func homeDirectory(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home.count > 1 && home.hasSuffix("/") ? String(home.dropLast()) : home
        }
        if let home = passwordDatabaseHome(getuid()), home.hasPrefix("/") {
            return home
        }
        return "/tmp/floe-\(getuid())"
    }

    /// The home directory the user database gives user `uid` (thread-safe `getpwuid_r`).
    private static func passwordDatabaseHome(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let directory = entry.pw_dir else { return nil }
        return String(cString: directory)
    }
}
