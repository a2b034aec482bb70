/// A reason floed refuses a stage directory or spec file, with the command that fixes it.
public struct StageProblem: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: Sendable, Hashable {
        /// Owned by someone other than root or floed's user.
        case untrustedOwner
        /// Anyone may write it.
        case writableByOthers
        /// Its group may write it, and that group is not `allowStageGroup`.
        case writableByGroup
        /// It could not be examined (missing, no permission).
        case cannotCheck
        /// `allowStageGroup` names a group that does not exist.
        case unknownGroup
    }

    public var kind: Kind
    /// The path the problem is about.
    public var path: String
    /// What is wrong, in words.
    public var message: String
    /// What to run or change to fix it.
    public var fix: String

    public init(_ kind: Kind, path: String, message: String, fix: String) {
        self.kind = kind
        self.path = path
        self.message = message
        self.fix = fix
    }

    /// `path: message; to fix: fix`.
    public var description: String { "\(path): \(message); to fix: \(fix)" }
}
