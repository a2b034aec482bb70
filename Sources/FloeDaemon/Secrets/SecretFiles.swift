import FloeCore
import FloeRuntime
import FloeSpec
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The files of containers' `directoryPath` secrets: one directory per container below
/// `<state>/instances`, owned by the instance's user, 0700; files 0600.
struct SecretFiles: Sendable {
    let settings: DaemonSettings

    /// The directory of one container's secret files.
    func directory(_ key: InstanceKey, _ container: String) -> String {
        settings.secretFilesDirectory(object: key.object, instance: key.id, container: container)
    }

    /// Writes `files` below `root` (directories 0700, files 0600, all owned by `user` when floed is
    /// root). Returns the status message when it cannot.
    func writeFiles(_ files: [String: String], root: String, user: UserIdentity?) -> String? {
        let parent = (root as NSString).deletingLastPathComponent
        // The state directory and <state>/instances only let others through (0711); the container's own
        // directory is 0700 and belongs to its user.
        if mkdir(parent, 0o711) != 0 && errno != EEXIST {
            return "cannot create \(parent): \(String(cString: strerror(errno))); check the state directory"
        }
        if user != nil {
            chmod(settings.stateDirectory, 0o711)
            chmod(parent, 0o711)
        }
        func own(_ path: String) {
            if let user, ProcessRuntime.isPrivileged { _ = chown(path, user.uid, user.gid) }
        }
        func makeDirectory(_ path: String) -> Bool {
            if mkdir(path, 0o700) != 0 && errno != EEXIST { return false }
            own(path)
            return true
        }
        guard makeDirectory(root) else {
            return "cannot create the secrets directory \(root): \(String(cString: strerror(errno)))"
        }
        for (relative, value) in files.sorted(by: { $0.key < $1.key }) {
            var directory = root
            for part in relative.split(separator: "/").dropLast() {
                directory += "/\(part)"
                guard makeDirectory(directory) else {
                    return "cannot create the secrets directory \(directory): \(String(cString: strerror(errno)))"
                }
            }
            let path = "\(root)/\(relative)"
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return "cannot write secret file \(path): \(String(cString: strerror(errno)))" }
            let bytes = Array(value.utf8)
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if let user, ProcessRuntime.isPrivileged { _ = fchown(fd, user.uid, user.gid) }
            fchmod(fd, 0o600)
            close(fd)
            guard written == bytes.count else { return "cannot write secret file \(path)" }
        }
        return nil
    }

    /// Removes one container's secret files.
    func remove(_ root: String) {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Removes the secret files of every container of an instance.
    func removeAll(of key: InstanceKey) {
        let sample = directory(key, "")
        let parent = (sample as NSString).deletingLastPathComponent
        let prefix = (sample as NSString).lastPathComponent
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix)
        {
            remove("\(parent)/\(entry)")
        }
    }
}
