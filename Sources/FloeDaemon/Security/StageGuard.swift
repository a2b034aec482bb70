#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Refuses a stage that someone other than root (or floed's own user) could change.
///
/// floed runs the commands spec files name, as root when it is root, so whoever can write the
/// stage can run code as root. A stage directory or spec file is refused when:
/// - its owner is not root or floed's user (a spec file may also belong to a member of
///   `allowStageGroup` when its group is that group);
/// - anyone may write it (`o+w`);
/// - its group may write it (`g+w`) and that group is not `allowStageGroup`.
/// The directories above the stage are held to the same rules, except that a sticky directory
/// such as `/tmp` may be writable by others (they cannot rename what they do not own in it).
///
/// ``problems(at:status:role:)`` is the pure rule over `stat` results; ``checkStage(directory:)``
/// and ``checkSpecFile(_:)`` stat the real paths.
public struct StageGuard: Sendable, Hashable {
    /// A group allowed to write the stage (`allowStageGroup`), with its id.
    public struct AllowedGroup: Sendable, Hashable {
        public var name: String
        public var id: UInt32
        public init(name: String, id: UInt32) {
            self.name = name
            self.id = id
        }
    }

    /// What a checked path is to the stage.
    public enum Role: Sendable, Hashable {
        case stageDirectory
        case specFile
        /// A directory above the stage directory.
        case ancestor
    }

    /// floed's user id (root or not).
    public var daemonUserID: UInt32
    /// floed's user name, for the `chown` in fixes.
    public var daemonUserName: String
    public var allowedGroup: AllowedGroup?

    public init(daemonUserID: UInt32, daemonUserName: String, allowedGroup: AllowedGroup? = nil) {
        self.daemonUserID = daemonUserID
        self.daemonUserName = daemonUserName
        self.allowedGroup = allowedGroup
    }

    /// The guard for this process: its effective user, and `allowStageGroup` looked up by name.
    /// Throws a ``StageProblem`` of kind ``StageProblem/Kind/unknownGroup`` when the group does not exist.
    public static func forCurrentProcess(allowStageGroup: String?) throws(StageProblem) -> StageGuard {
        let uid = UInt32(geteuid())
        let name = AccountNames.userName(uid) ?? (uid == 0 ? "root" : String(uid))
        var allowed: AllowedGroup?
        if let group = allowStageGroup {
            guard let gid = AccountNames.groupID(group) else {
                throw StageProblem(
                    .unknownGroup, path: group, message: "allowStageGroup names a group that does not exist",
                    fix: "create it (`groupadd \(group)`) or remove allowStageGroup from floed.yaml")
            }
            allowed = AllowedGroup(name: group, id: gid)
        }
        return StageGuard(daemonUserID: uid, daemonUserName: name, allowedGroup: allowed)
    }

    /// The problems with `path`, given what `stat` said about it. Empty means floed may trust it.
    /// - Parameter ownerName: the owner's name for the message, when known.
    public func problems(
        at path: String, status: FileStatus, role: Role, ownerName: String? = nil
    ) -> [StageProblem] {
        var problems: [StageProblem] = []
        let quoted = Self.shellQuoted(path)
        let what =
            switch role {
            case .stageDirectory: "the stage directory"
            case .specFile: "the spec file"
            case .ancestor: "a directory above the stage"
            }
        let groupAllowed = allowedGroup.map { $0.id == status.groupID } ?? false

        let trustedOwner =
            status.ownerID == 0 || status.ownerID == daemonUserID || (role == .specFile && groupAllowed)
        if !trustedOwner {
            let owner = ownerName.map { "\($0) (uid \(status.ownerID))" } ?? "uid \(status.ownerID)"
            let who = daemonUserID == 0 ? "root" : "root or \(daemonUserName)"
            var fix = "`chown \(daemonUserID == 0 ? "root" : daemonUserName): \(quoted)`"
            if role == .specFile, let group = allowedGroup {
                fix += ", or `chgrp \(group.name) \(quoted)` to keep it editable by group \(group.name)"
            }
            problems.append(
                StageProblem(
                    .untrustedOwner, path: path,
                    message: "\(what) is owned by \(owner); floed runs what the stage says, so only \(who) may own it",
                    fix: fix))
        }

        let stickyExcuses = role == .ancestor && status.isDirectory && status.isSticky
        let otherWritable = status.isOtherWritable && !stickyExcuses
        let groupWritable = status.isGroupWritable && !groupAllowed && !stickyExcuses
        if otherWritable {
            problems.append(
                StageProblem(
                    .writableByOthers, path: path,
                    message: "\(what) is writable by every user, who could make floed run anything",
                    fix: "`chmod \(groupWritable ? "go-w" : "o-w") \(quoted)`"))
        } else if groupWritable {
            var fix = "`chmod g-w \(quoted)`"
            if let group = allowedGroup {
                fix += ", or `chgrp \(group.name) \(quoted)` if group \(group.name) should write it"
            } else if role != .ancestor {
                fix += ", or set allowStageGroup in floed.yaml to the group that should write the stage"
            }
            problems.append(
                StageProblem(
                    .writableByGroup, path: path,
                    message: "\(what) is writable by its group (gid \(status.groupID)), which is not allowStageGroup",
                    fix: fix))
        }
        return problems
    }

    /// Checks the stage directory and every directory above it.
    public func checkStage(directory: String) -> [StageProblem] {
        var directory = directory
        while directory.count > 1 && directory.hasSuffix("/") {
            directory.removeLast()
        }
        var problems = check(directory, role: .stageDirectory)
        var parent = directory
        while let slash = parent.lastIndex(of: "/"), parent != "/" {
            parent = slash == parent.startIndex ? "/" : String(parent[..<slash])
            problems += check(parent, role: .ancestor)
        }
        return problems
    }

    /// Checks one spec file (following a symbolic link to the file it names).
    public func checkSpecFile(_ path: String) -> [StageProblem] {
        check(path, role: .specFile)
    }

    private func check(_ path: String, role: Role) -> [StageProblem] {
        switch FileStatus.of(path: path) {
        case .success(let status):
            return problems(at: path, status: status, role: role, ownerName: AccountNames.userName(status.ownerID))
        case .failure(let error):
            return [
                StageProblem(
                    .cannotCheck, path: path, message: "cannot be examined (\(error))",
                    fix: role == .stageDirectory
                        ? "create it (`mkdir -p \(Self.shellQuoted(path))`) or set `stage:` in floed.yaml"
                        : "check that it exists and that floed may read it")
            ]
        }
    }

    /// `path` as one shell word.
    static func shellQuoted(_ path: String) -> String {
        let safe = path.unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || "/._-+:@%".unicodeScalars.contains(scalar)
        }
        if safe && !path.isEmpty { return path }
        return "'" + path.replacing("'", with: "'\\''") + "'"
    }
}
