import CSystemd

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Tells the service manager how floed is doing, through the `sd_notify(3)` protocol:
/// `READY=1`, `STATUS=…`, `RELOADING=1`, `STOPPING=1`, `WATCHDOG=1`.
///
/// Two ways to make one:
/// - ``forThisProcess()`` (floed in production): messages go through libsystemd's `sd_pid_notify`,
///   which reads `NOTIFY_SOCKET` from the process environment itself; the watchdog interval comes
///   from `sd_watchdog_enabled`.
/// - ``init(environment:processID:)`` (tests, or several daemons in one process): the environment is
///   passed in, and the notifier sends the datagram itself to the `NOTIFY_SOCKET` it names, so that a
///   test can point it at a socket it bound.
/// When `NOTIFY_SOCKET` is unset every call is a no-op, so floed runs the same outside systemd.
/// The environment is left as it is: floed must remove ``SystemdNotifier/variablesForThisProcessOnly``
/// from the environment of the processes it starts.
public struct SystemdNotifier: Sendable {
    /// Where messages go.
    private enum Transport: Sendable {
        /// `NOTIFY_SOCKET` is unset: nothing is sent.
        case disabled
        /// libsystemd's `sd_pid_notify` (the process environment's `NOTIFY_SOCKET`).
        case libsystemd(address: String)
        /// A datagram sent by floed itself (the injectable test transport).
        case socket(UnixDatagramSocket)
        /// `NOTIFY_SOCKET` names an address that cannot be used.
        case unusable(UnixSocketError)
    }

    private let transport: Transport

    /// Half of `WATCHDOG_USEC`: how often floed must send ``watchdog()``. Nil when the service
    /// manager asked for no watchdog, or asked it of another process (`WATCHDOG_PID`).
    public let watchdogInterval: Duration?

    /// The socket the notifications go to (`NOTIFY_SOCKET`), nil outside systemd.
    public var socketAddress: String? {
        switch transport {
        case .disabled: nil
        case .libsystemd(let address): address
        case .socket(let socket): socket.address
        case .unusable(let error): error.address
        }
    }

    /// True when messages go through libsystemd (``forThisProcess()``), false for the hand-written
    /// transport of ``init(environment:processID:)``.
    public var usesLibsystemd: Bool {
        if case .libsystemd = transport { return true }
        return false
    }

    /// True when notifications go somewhere (`NOTIFY_SOCKET` is set).
    public var isEnabled: Bool { socketAddress != nil }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
    /// - Parameters:
    ///   - environment: usually `ProcessInfo.processInfo.environment`.
    ///   - processID: this process's id, compared with `WATCHDOG_PID`.
    public init(environment: [String: String], processID: Int32 = getpid()) {
        if let address = environment["NOTIFY_SOCKET"], !address.isEmpty {
            do {
                transport = .socket(try UnixDatagramSocket(address: address))
            } catch {
                transport = .unusable(error)
            }
        } else {
            transport = .disabled
        }
        watchdogInterval = Self.watchdogInterval(environment: environment, processID: processID)
    }

    private init(transport: Transport, watchdogInterval: Duration?) {
        self.transport = transport
        self.watchdogInterval = watchdogInterval
    }

    /// The notifier of this process, as systemd started it: messages go through libsystemd's
    /// `sd_pid_notify` to the `NOTIFY_SOCKET` of the process environment, and the watchdog interval
    /// is half of what `sd_watchdog_enabled` reports (nil when `WATCHDOG_PID` names another process).
    public static func forThisProcess() -> SystemdNotifier {
        var usec: UInt64 = 0
        let watchdog: Duration? =
            sd_watchdog_enabled(0, &usec) > 0 && usec > 0 ? .microseconds(Int64(clamping: usec / 2)) : nil
        guard let raw = getenv("NOTIFY_SOCKET") else {
            return SystemdNotifier(transport: .disabled, watchdogInterval: watchdog)
        }
        let address = String(cString: raw)
        return SystemdNotifier(
            transport: address.isEmpty ? .disabled : .libsystemd(address: address), watchdogInterval: watchdog)
    }

    /// The variables systemd sets for floed alone. Remove them from the environment of every process
    /// floed starts, or a workload could send READY/STOPPING/WATCHDOG in floed's name.
    public static let variablesForThisProcessOnly: [String] = [
        "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
        "JOURNAL_STREAM", "INVOCATION_ID", "MAINPID", "MANAGERPID", "SYSTEMD_EXEC_PID", "TRIGGER_UNIT",
    ]

    /// `environment` without ``variablesForThisProcessOnly``: the base for a child process's environment.
    public static func childEnvironment(from environment: [String: String]) -> [String: String] {
        var result = environment
        for name in variablesForThisProcessOnly {
            result[name] = nil
        }
        return result
    }

    /// `READY=1`: start-up is finished (floed: the first full stage scan is done and its reconcile has
    /// begun), or a reload is finished.
    public func ready() throws(SystemdNotifierError) {
        try notify([("READY", "1")])
    }

    /// `STATUS=line`: a one-line summary systemctl shows. Line breaks become spaces.
    public func status(_ line: String) throws(SystemdNotifierError) {
        let flat = String(line.map { $0.isNewline ? " " : $0 })
        try notify([("STATUS", flat)])
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (the current `CLOCK_MONOTONIC` time in microseconds), as
    /// `Type=notify-reload` requires; send ``ready()`` when the reload is done.
    public func reloading() throws(SystemdNotifierError) {
        try notify([("RELOADING", "1"), ("MONOTONIC_USEC", String(Self.monotonicMicroseconds()))])
    }

    /// `STOPPING=1`: floed is shutting down.
    public func stopping() throws(SystemdNotifierError) {
        try notify([("STOPPING", "1")])
    }

    /// `WATCHDOG=1`: floed is alive. Send it from the reconcile loop every ``watchdogInterval``.
    /// Does nothing when no watchdog was asked for.
    public func watchdog() throws(SystemdNotifierError) {
        guard watchdogInterval != nil else { return }
        try notify([("WATCHDOG", "1")])
    }

    /// `EXTEND_TIMEOUT_USEC=`: asks for more time to start, reload or stop.
    public func extendTimeout(by duration: Duration) throws(SystemdNotifierError) {
        try notify([("EXTEND_TIMEOUT_USEC", String(Self.microseconds(duration)))])
    }

    /// Sends `assignments` as one message, in order (`KEY=value` lines). Keys are upper-case letters,
    /// digits and `_`; values are one line. A no-op when `NOTIFY_SOCKET` is unset.
    public func notify(_ assignments: [(String, String)]) throws(SystemdNotifierError) {
        guard isEnabled else { return }
        var message = ""
        for (key, value) in assignments {
            guard Self.isValidKey(key) else {
                throw .invalidAssignment(key: key, reason: "a key is upper-case letters, digits and '_'")
            }
            guard !value.contains(where: \.isNewline) else {
                throw .invalidAssignment(key: key, reason: "a value must be one line")
            }
            message += "\(key)=\(value)\n"
        }
        switch transport {
        case .disabled:
            return
        case .unusable(let error):
            throw .socketUnusable(error.description)
        case .socket(let socket):
            do {
                try socket.send(Array(message.utf8))
            } catch {
                throw .sendFailed(error.description)
            }
        case .libsystemd(let address):
            // 0 = keep NOTIFY_SOCKET in the environment (floed notifies for its whole life).
            let result = sd_pid_notify(0, 0, message)
            if result < 0 {
                throw .sendFailed("sd_pid_notify to '\(address)': \(String(cString: strerror(-result)))")
            }
        }
    }

    static func watchdogInterval(environment: [String: String], processID: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 else { return nil }
        if let pidText = environment["WATCHDOG_PID"], !pidText.isEmpty {
            guard let pid = Int32(pidText), pid == processID else { return nil }
        }
        return .microseconds(Int64(clamping: usec / 2))
    }

    static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
            }
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    }
}
