import FloeCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The per-container log files: `<logFile>` for the current run and `<logFile>.previous` for the run
/// before the last restart. Containers write their log file themselves (it is their stdout and stderr);
/// floed only rotates, caps and reads it.
public enum LogFiles {
    /// What is appended to a log file's path to name the previous run's log.
    public static let previousSuffix = ".previous"

    /// The path of the previous run's log beside `path`.
    public static func previousPath(of path: String) -> String { path + previousSuffix }

    /// Prepares `path` for a new run and opens it for the child: creates missing parent directories
    /// (0750), moves an existing non-empty log to ``previousPath(of:)`` (replacing the older one), and
    /// opens the file `O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC` with mode 0640 (not reduced by the umask).
    ///
    /// - Returns: the open descriptor; the caller hands it to the child and closes it.
    /// - Throws: ``ContainerStartError/spawnFailed(_:)`` naming the file when it cannot be prepared.
    public static func openForNewRun(path: String) throws(ContainerStartError) -> Int32 {
        let directory = parentDirectory(of: path)
        if !directory.isEmpty, !makeDirectories(directory) {
            throw .spawnFailed("cannot create the log directory '\(directory)': \(errnoText()); check its permissions")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_size > 0 {
            if rename(path, previousPath(of: path)) != 0 {
                throw .spawnFailed("cannot keep the previous log '\(path)': \(errnoText())")
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw .spawnFailed("cannot open the log file '\(path)': \(errnoText()); check the state directory")
        }
        _ = fchmod(fd, 0o640)  // exactly 0640, whatever floed's umask
        return fd
    }

    /// Caps the log at `path` to `maxBytes` by copy-truncate: when the file is larger, its newest half
    /// (`maxBytes / 2` bytes, starting at a line boundary when there is one) is kept, the file is truncated
    /// to zero and the kept bytes are appended again.
    ///
    /// The container keeps writing through its own `O_APPEND` descriptor the whole time, so this is
    /// racy in a small, harmless way: output written between reading the tail and truncating is lost,
    /// and output written between truncating and re-appending lands before the kept block. The window
    /// is a few system calls long. floed calls this on a timer, so a log can exceed the cap by what
    /// the container writes between two calls.
    ///
    /// - Returns: true when the file was truncated; false when it was small enough, missing or unreadable.
    @discardableResult
    public static func enforceLimit(path: String, maxBytes: Int) -> Bool {
        // Most logs are under the limit: a stat, not an open, tells (floed checks every log every 10 s).
        var before = stat()
        guard stat(path, &before) == 0, Int(before.st_size) > max(maxBytes, 0) else { return false }
        let fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        let size = Int(info.st_size)
        guard size > max(maxBytes, 0) else { return false }
        let keep = max(maxBytes / 2, 0)
        var kept = readAt(fd, offset: size - keep, count: keep) ?? []
        // Start at a line boundary when the kept part has one, so the first line is whole.
        if let newline = kept.firstIndex(of: UInt8(ascii: "\n")), newline + 1 < kept.count {
            kept.removeSubrange(0...newline)
        }
        guard ftruncate(fd, 0) == 0 else { return false }
        _ = writeAll(fd, kept)
        return true
    }

    /// The last `lines` lines of the file at `path` (with their newlines), read backwards in chunks
    /// so that a large log costs only what is returned. Empty when the file is missing or `lines` ≤ 0.
    /// Invalid UTF-8 is replaced, not rejected.
    public static func tail(path: String, lines: Int) -> String {
        guard lines > 0 else { return "" }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "" }
        let size = Int(info.st_size)
        guard size > 0 else { return "" }
        let chunkSize = 64 * 1024
        var position = size
        var newlines = 0
        var start = 0
        var found = false
        var ignoreLastByte = false
        if let last = readAt(fd, offset: size - 1, count: 1), last.first == UInt8(ascii: "\n") {
            ignoreLastByte = true  // a final newline ends the last line; it does not start another one
        }
        while position > 0 && !found {
            let length = min(chunkSize, position)
            position -= length
            guard let chunk = readAt(fd, offset: position, count: length) else { return "" }
            var index = chunk.count - 1
            while index >= 0 {
                let absolute = position + index
                if chunk[index] == UInt8(ascii: "\n") && !(ignoreLastByte && absolute == size - 1) {
                    newlines += 1
                    if newlines == lines {
                        start = absolute + 1
                        found = true
                        break
                    }
                }
                index -= 1
            }
        }
        guard let bytes = readAt(fd, offset: start, count: size - start) else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: - Helpers

    static func readAt(_ fd: Int32, offset: Int, count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + done, count - done, off_t(offset + done))
            }
            if result < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if result == 0 { break }
            done += result
        }
        return Array(buffer[0..<done])
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let result = bytes.withUnsafeBytes { raw in write(fd, raw.baseAddress! + done, bytes.count - done) }
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += result
        }
        return true
    }

    static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// `mkdir -p` with mode 0750 for the directories it creates.
    static func makeDirectories(_ path: String) -> Bool {
        var info = stat()
        if stat(path, &info) == 0 { return (info.st_mode & S_IFMT) == S_IFDIR }
        let parent = parentDirectory(of: path)
        if !parent.isEmpty && parent != path && !makeDirectories(parent) { return false }
        return mkdir(path, 0o750) == 0 || errno == EEXIST
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
