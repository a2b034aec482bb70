import Logging

/// A swift-log handler that writes structured records to the systemd journal.
///
/// Each record carries `MESSAGE`, `PRIORITY` (syslog level), `SYSLOG_IDENTIFIER`, `CODE_FILE`,
/// `CODE_LINE`, `CODE_FUNC`, and one field per metadata key: `service`, `instance` and `container`
/// become `FLOE_SERVICE`, `FLOE_INSTANCE` and `FLOE_CONTAINER` (so `journalctl FLOE_SERVICE=ECHO`
/// finds a service's records); any other key becomes `FLOE_<UPPER_SNAKE>`. When the journal cannot
/// be reached the record is written to stderr instead, so nothing is lost silently.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level

    /// The logger's label, sent as `FLOE_LOGGER`.
    public let label: String
    /// `SYSLOG_IDENTIFIER`, `floed` by default.
    public let identifier: String
    private let socket: JournalSocket
    private let fallback: StderrLogHandler

    /// - Parameters:
    ///   - label: the logger's label.
    ///   - identifier: the `SYSLOG_IDENTIFIER` of every record.
    ///   - socket: where records go: the default is journald's socket, through libsystemd's
    ///     `sd_journal_sendv`; tests pass a ``JournalSocket`` for a socket they bound.
    ///   - logLevel: the least severe level written.
    public init(
        label: String, identifier: String = "floed", socket: JournalSocket = JournalSocket(),
        logLevel: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.init(
            label: label, identifier: identifier, socket: socket, logLevel: logLevel,
            metadataProvider: metadataProvider, fallbackOutput: StderrLogHandler.writeToStandardError)
    }

    /// As the public initializer, with the output of the stderr fallback chosen (for tests).
    init(
        label: String, identifier: String, socket: JournalSocket, logLevel: Logger.Level,
        metadataProvider: Logger.MetadataProvider?, fallbackOutput: @escaping StderrLogHandler.Output
    ) {
        self.label = label
        self.identifier = identifier
        self.socket = socket
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
        self.fallback = StderrLogHandler(label: label, logLevel: .trace, output: fallbackOutput)
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let entry = self.entry(for: event)
        do {
            try socket.send(entry)
        } catch {
            var fallback = self.fallback
            fallback.metadata = metadata
            fallback.metadataProvider = metadataProvider
            fallback.log(event: event)
        }
    }

    /// The journal record for `event`: what ``log(event:)`` sends.
    public func entry(for event: LogEvent) -> JournalEntry {
        var entry = JournalEntry()
        entry.append("MESSAGE", event.message.description)
        entry.append("PRIORITY", String(LogMetadata.syslogPriority(event.level)))
        entry.append("SYSLOG_IDENTIFIER", identifier)
        entry.append("CODE_FILE", event.file)
        entry.append("CODE_LINE", String(event.line))
        entry.append("CODE_FUNC", event.function)
        entry.append("FLOE_LOGGER", label)
        entry.append("FLOE_LEVEL", event.level.rawValue)
        if let error = event.error {
            entry.append("FLOE_ERROR", String(describing: error))
        }
        for (key, value) in LogMetadata.merged(handler: metadata, provider: metadataProvider, call: event.metadata) {
            entry.append(JournalEntry.fieldName(forMetadataKey: key), value)
        }
        return entry
    }
}
