import Logging

/// Metadata handling shared by floe's log handlers.
enum LogMetadata {
    /// Keys shown first, in this order, by both handlers; other keys follow sorted.
    static let leadingKeys = ["service", "instance", "container"]

    /// Handler metadata, then the provider's, then the call's (later wins), in display order.
    static func merged(
        handler: Logger.Metadata, provider: Logger.MetadataProvider?, call: Logger.Metadata?
    ) -> [(key: String, value: String)] {
        var all = handler
        if let provided = provider?.get() {
            all.merge(provided) { _, new in new }
        }
        if let call {
            all.merge(call) { _, new in new }
        }
        let leading = leadingKeys.compactMap { key in all[key].map { (key: key, value: render($0)) } }
        let rest = all.keys.filter { !leadingKeys.contains($0) }.sorted().compactMap { key in
            all[key].map { (key: key, value: render($0)) }
        }
        return leading + rest
    }

    /// A metadata value as text: strings as they are, lists as `[a, b]`, dictionaries as `[k: v]`.
    static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let items): "[" + items.map(render).joined(separator: ", ") + "]"
        case .dictionary(let entries):
            "[" + entries.keys.sorted().map { "\($0): \(render(entries[$0] ?? ""))" }.joined(separator: ", ") + "]"
        }
    }

    /// The syslog priority journald expects for a swift-log level.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
