/// Where floed's log records go.
public enum LogTarget: String, Sendable, Hashable, CaseIterable, Codable {
    /// The journal when stderr is connected to it (`JOURNAL_STREAM` names stderr), else stderr.
    case auto
    /// The journal's native socket, with structured fields.
    case journal
    /// Plain lines on stderr.
    case stderr
}
