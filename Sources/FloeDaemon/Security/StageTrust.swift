#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The part of the ``StageGuard`` floed enforces, which depends on whether floed runs as root.
///
/// As root every rule applies: whoever can change the stage can run code as root.
/// As an ordinary user floed can only run code as that user, and many systems give each user a private
/// group (`umask 002` makes files group-writable), so group-writable paths are accepted; a path that
/// anyone may write, or that another user owns, is still refused.
public struct StageTrust: Sendable, Hashable {
    /// The rules.
    public var stageGuard: StageGuard
    /// True when floed runs as root (every rule applies).
    public var isRoot: Bool

    public init(stageGuard: StageGuard, isRoot: Bool) {
        self.stageGuard = stageGuard
        self.isRoot = isRoot
    }

    /// The trust for this process: its effective user, and `allowStageGroup` looked up by name.
    /// Throws when `allowStageGroup` names a group that does not exist.
    public static func forCurrentProcess(allowStageGroup: String?) throws(StageProblem) -> StageTrust {
        let stageGuard = try StageGuard.forCurrentProcess(allowStageGroup: allowStageGroup)
        return StageTrust(stageGuard: stageGuard, isRoot: geteuid() == 0)
    }

    /// The problems that keep floed from starting on `directory` (the directory and those above it).
    public func stageProblems(directory: String) -> [StageProblem] {
        enforced(stageGuard.checkStage(directory: directory))
    }

    /// The problems that keep floed from running the spec file at `path`.
    public func specFileProblems(_ path: String) -> [StageProblem] {
        enforced(stageGuard.checkSpecFile(path))
    }

    /// `problems` without those that do not apply to floed's user.
    public func enforced(_ problems: [StageProblem]) -> [StageProblem] {
        isRoot ? problems : problems.filter { $0.kind != .writableByGroup }
    }
}
