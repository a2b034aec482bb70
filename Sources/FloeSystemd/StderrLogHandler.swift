import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A swift-log handler that writes one plain line per record, for a terminal or a log file:
/// `2026-11-24T20:00:00.123Z info floed: message service=ECHO instance=0`.
///
/// Metadata follows the message as `key=value` (`service`, `instance`, `container` first, then the
/// other keys sorted); values with spaces or quotes are quoted. Line breaks in the message are
/// written as `\n` so that one record stays one line.
public struct StderrLogHandler: LogHandler {
    /// Where finished lines go (each ends in `\n`).
    public typealias Output = @Sendable (String) -> Void

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    public let label: String
    private let output: Output
    private let clock: @Sendable () -> timespec

    /// - Parameters:
    ///   - label: shown after the level (`floed:`).
    ///   - output: receives each line; by default it is written to file descriptor 2 in one `write`.
    public init(
        label: String, logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil,
        output: @escaping Output = StderrLogHandler.writeToStandardError
    ) {
        self.init(label: label, logLevel: logLevel, metadataProvider: metadataProvider, output: output) {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            return now
        }
    }

    init(
        label: String, logLevel: Logger.Level, metadataProvider: Logger.MetadataProvider?,
        output: @escaping Output, clock: @escaping @Sendable () -> timespec
    ) {
        self.label = label
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.output = output
        self.clock = clock
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        output(line(for: event))
    }

    /// The line ``log(event:)`` writes, ending in `\n`.
    func line(for event: LogEvent) -> String {
        var line = Self.timestamp(clock())
        line += " \(event.level.rawValue) \(label): "
        line += Self.escapingLineBreaks(event.message.description)
        for (key, value) in LogMetadata.merged(handler: metadata, provider: metadataProvider, call: event.metadata) {
            line += " \(key)=\(Self.quotedIfNeeded(value))"
        }
        if let error = event.error {
            line += " error=\(Self.quotedIfNeeded(String(describing: error)))"
        }
        line += "\n"
        return line
    }

    /// Writes `line` to standard error with as few `write(2)` calls as it takes (one, normally), so
    /// lines from different threads do not interleave.
    public static let writeToStandardError: Output = { line in
        var bytes = Array(line.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-24T20:00:00.123Z`.
    static func timestamp(_ time: timespec) -> String {
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let millis = Int32(time.tv_nsec / 1_000_000)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(millis, 3))Z"
    }

    static func escapingLineBreaks(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.replacing("\r\n", with: "\\n").replacing("\n", with: "\\n").replacing("\r", with: "\\r")
    }

    static func quotedIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        guard needsQuotes else { return value }
        let escaped = escapingLineBreaks(value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\""))
        return "\"\(escaped)\""
    }
}
