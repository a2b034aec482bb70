import Foundation
import Glibc
import SystemPackage

/// Crash-safe whole-file writes: after a crash the file holds either its old or its new content, never a mix.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically and durably: the content goes to a temporary file in the same
    /// directory, which is fsynced, renamed over `path`, and then the directory is fsynced.
    ///
    /// - Parameters:
    ///   - bytes: The complete new content.
    ///   - path: The file to replace or create; its directory must exist.
    ///   - mode: The permissions of the new file (applied exactly, whatever the umask).
    /// - Throws: ``AtomicFileError`` naming the path, the failing step and the errno text. On failure the
    ///   temporary file is removed and `path` is unchanged.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(AtomicFileError) {
        var failure: AtomicFileError?
        bytes.withUnsafeBytes { buffer in
            do throws(AtomicFileError) { try write(buffer, to: path, mode: mode) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes `data` to `path` atomically and durably; see ``write(_:to:mode:)-([UInt8],_,_)``.
    public static func write(_ data: Data, to path: String, mode: mode_t = 0o600) throws(AtomicFileError) {
        var failure: AtomicFileError?
        data.withUnsafeBytes { buffer in
            do throws(AtomicFileError) { try write(buffer, to: path, mode: mode) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes the bytes of `buffer` to `path` atomically and durably.
    public static func write(_ buffer: UnsafeRawBufferPointer, to path: String, mode: mode_t = 0o600)
        throws(AtomicFileError)
    {
        let (directory, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw AtomicFileError(path: path, step: .createTemporary, errno: EISDIR)
        }
        // A dot-file ending in .tmp: ignored by the stage watcher and by `StateDirectory.keys(in:)`.
        let temporary = "\(directory)/.\(name).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: .createTemporary, errno: errno) }
        var isOpen = true
        func fail(_ step: AtomicFileError.Step, _ code: Int32) -> AtomicFileError {
            if isOpen { _ = close(fd) }
            _ = unlink(temporary)
            return AtomicFileError(path: path, step: step, errno: code)
        }
        guard fchmod(fd, mode) == 0 else { throw fail(.write, errno) }
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw fail(.write, errno)
            }
            offset += written
        }
        guard fsync(fd) == 0 else { throw fail(.sync, errno) }
        isOpen = false
        guard close(fd) == 0 else { throw fail(.write, errno) }
        guard rename(temporary, path) == 0 else { throw fail(.rename, errno) }
        try syncDirectory(directory, for: path)
    }

    /// fsyncs a directory so that a rename or unlink in it survives a crash.
    static func syncDirectory(_ directory: String, for path: String) throws(AtomicFileError) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, step: .syncDirectory, errno: errno) }
        defer { _ = close(fd) }
        // Some file systems cannot fsync a directory (EINVAL); the rename is still atomic there.
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw AtomicFileError(path: path, step: .syncDirectory, errno: errno)
        }
    }

    /// The directory part (`.` when there is none) and the last component of `path`.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
