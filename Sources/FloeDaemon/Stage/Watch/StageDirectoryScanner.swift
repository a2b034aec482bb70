import Glibc
import SystemPackage

/// Listing and `stat` of a stage directory (Linux).
enum StageDirectoryScanner {
    /// The device and inode of a directory, to notice it being replaced.
    struct DirectoryIdentity: Sendable, Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// What a newly created name is, to decide whether it is complete.
    enum CreatedKind: Sendable, Hashable {
        /// A fresh regular file: a write is in progress until it is closed.
        case newFile
        /// A symbolic link or an extra hard link: complete as it appears.
        case link
        /// A directory, device, socket or the like, or gone already: not a stage file.
        case other
    }

    /// Every stage file in `directory` with its stat; names that are not stage files, not valid UTF-8, or not
    /// regular files (after following symbolic links) are left out.
    static func list(_ directory: String) -> Result<[String: StageFileStat], Errno> {
        guard let stream = opendir(directory) else { return .failure(Errno(rawValue: errno)) }
        defer { closedir(stream) }
        let fd = dirfd(stream)
        var files: [String: StageFileStat] = [:]
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { return .failure(Errno(rawValue: errno)) }
                return .success(files)
            }
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(validating: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let name, StageWatcher.isStageFile(name) else { continue }
            var info = Glibc.stat()
            guard fstatat(fd, name, &info, 0) == 0, let file = StageFileStat(info) else { continue }
            files[name] = file
        }
    }

    /// The stat of one stage file, or nil when it is missing or not a regular file.
    static func fileStat(_ directory: String, name: String) -> StageFileStat? {
        var info = Glibc.stat()
        guard stat(directory + "/" + name, &info) == 0 else { return nil }
        return StageFileStat(info)
    }

    /// Classifies a name reported by `IN_CREATE`.
    static func createdKind(_ directory: String, name: String) -> CreatedKind {
        var info = Glibc.stat()
        guard lstat(directory + "/" + name, &info) == 0 else { return .other }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: return .link
        case S_IFREG: return info.st_nlink > 1 ? .link : .newFile
        default: return .other
        }
    }

    /// The identity of `directory`, or the errno why it cannot be had; not-a-directory is ENOTDIR.
    static func identity(of directory: String) -> Result<DirectoryIdentity, Errno> {
        var info = Glibc.stat()
        guard stat(directory, &info) == 0 else { return .failure(Errno(rawValue: errno)) }
        guard info.st_mode & S_IFMT == S_IFDIR else { return .failure(.notDirectory) }
        return .success(DirectoryIdentity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)))
    }
}

extension StageFileStat {
    /// The stat of a regular file; nil for anything else.
    init?(_ info: stat) {
        guard info.st_mode & S_IFMT == S_IFREG else { return nil }
        self.init(
            size: Int64(info.st_size),
            modificationTime: .seconds(info.st_mtim.tv_sec) + .nanoseconds(info.st_mtim.tv_nsec),
            statusChangeTime: .seconds(info.st_ctim.tv_sec) + .nanoseconds(info.st_ctim.tv_nsec),
            inode: UInt64(info.st_ino),
            device: UInt64(info.st_dev)
        )
    }
}

extension StageWatchError {
    /// The directory cannot be listed or watched.
    static func directoryUnavailable(_ path: String, _ error: Errno) -> StageWatchError {
        let advice: String
        switch error {
        case .noSuchFileOrDirectory:
            advice = "create it (or point floed at the right stage directory)"
        case .notDirectory:
            advice = "it must be a directory of stage files; move the file away and create the directory"
        case .permissionDenied:
            advice = "give floed read and search permission on it"
        default:
            advice = "fix the directory"
        }
        return StageWatchError(
            kind: .directoryUnavailable,
            path: path,
            errno: error.rawValue,
            message: "stage directory \(path) cannot be read: \(error.description); \(advice). "
                + "Running objects keep their last good spec; the watcher picks the directory up when it is back."
        )
    }

    /// inotify cannot be used on the directory.
    static func notificationsUnavailable(_ path: String, _ error: Errno) -> StageWatchError {
        let advice: String
        switch error {
        case .noSpace:
            advice = "raise the sysctl fs.inotify.max_user_watches"
        case .tooManyOpenFiles:
            advice = "raise the sysctl fs.inotify.max_user_instances (or the open-file limit)"
        default:
            advice = "check that the file system supports inotify"
        }
        return StageWatchError(
            kind: .notificationsUnavailable,
            path: path,
            errno: error.rawValue,
            message: "cannot watch stage directory \(path) with inotify: \(error.description); \(advice). "
                + "Until then changes are noticed only by the periodic rescans."
        )
    }
}
