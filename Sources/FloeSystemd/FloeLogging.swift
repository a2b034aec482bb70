import FloeConfig
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sets up swift-log for floed: journal or stderr, chosen the way systemd documents it.
public enum FloeLogging {
    /// Bootstraps swift-log once per process with the handler ``makeHandler(label:target:level:environment:)``
    /// makes. Returns the target actually chosen (`.journal` or `.stderr`).
    @discardableResult
    public static func bootstrap(
        target: LogTarget, level: Logger.Level, environment: [String: String]
    ) -> LogTarget {
        let resolved = resolve(target, environment: environment)
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, target: resolved, level: level, environment: environment)
        }
        return resolved
    }

    /// The handler for `target` (``LogTarget/auto`` is resolved first).
    public static func makeHandler(
        label: String, target: LogTarget, level: Logger.Level, environment: [String: String],
        journalSocket: @autoclosure () -> JournalSocket = sharedJournalSocket
    ) -> any LogHandler {
        switch resolve(target, environment: environment) {
        case .journal:
            JournalLogHandler(label: label, socket: journalSocket(), logLevel: level)
        case .auto, .stderr:
            StderrLogHandler(label: label, logLevel: level)
        }
    }

    /// `.journal` or `.stderr`: `.auto` becomes `.journal` exactly when `JOURNAL_STREAM` (`device:inode`)
    /// names the file that `standardErrorDescriptor` is open on, which is how systemd says "your stderr
    /// is the journal" (and a redirected stderr is not).
    public static func resolve(
        _ target: LogTarget, environment: [String: String], standardErrorDescriptor: Int32 = 2
    ) -> LogTarget {
        switch target {
        case .journal, .stderr:
            return target
        case .auto:
            return stderrIsJournal(environment: environment, descriptor: standardErrorDescriptor) ? .journal : .stderr
        }
    }

    static func stderrIsJournal(environment: [String: String], descriptor: Int32) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return false }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode
    }

    /// One socket for all of the process's journal handlers.
    public static let sharedJournalSocket = JournalSocket()
}
