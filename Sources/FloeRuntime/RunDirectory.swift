import FloeCore
import FloeSpec
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The runs directory of ``ProcessRuntime``: one directory per container run, written by floed before
/// the run starts (`run`: which container it is) and by its floe-monitor (`pid`: the monitor's and the
/// container's pids; `exit`: how and when the container ended). A run's directory goes once floed has
/// saved the run's end in its own records (``ProcessRuntime/discardRuns(_:)``).
public struct RunDirectory: Sendable {
    /// The directory (floed: beside its socket, /run/floe/runs by default).
    public let path: String
    /// The floe-monitor executable.
    public let monitor: String

    public init(path: String, monitor: String) {
        self.path = path
        self.monitor = monitor
    }

    /// The directory of run `id`.
    public func directory(of id: String) -> String { "\(path)/\(id)" }

    /// Makes the directory of a new run and writes which container it is, before anything starts, so a
    /// floed that dies at any moment after this leaves a trace of what it was starting.
    func create(_ id: String, launch: ContainerLaunch, at date: Date) throws(ContainerStartError) {
        let directory = directory(of: id)
        guard mkdir(directory, 0o755) == 0 else {
            throw .spawnFailed("cannot make the run directory \(directory): \(String(cString: strerror(errno)))")
        }
        if let instance = launch.instance, let json = try? JSONEncoder().encode(instance) {
            guard Self.writeFile(String(decoding: json, as: UTF8.self), to: "\(directory)/instance.json") else {
                let reason = String(cString: strerror(errno))
                remove(id)
                throw .spawnFailed("cannot write \(directory)/instance.json: \(reason)")
            }
        }
        // `run` last: a directory with it is a run whose intent is complete.
        let text = "\(launch.instanceID) \(launch.containerName) \(date.timeIntervalSince1970)\n\(launch.service)\n"
        guard Self.writeFile(text, to: "\(directory)/run") else {
            let reason = String(cString: strerror(errno))
            remove(id)
            throw .spawnFailed("cannot write \(directory)/run: \(reason)")
        }
    }

    /// Run `id` as recorded, or nil when it has no readable `run` file (a directory a floed made and
    /// died before it could write it: nothing was started for it).
    public func read(_ id: String) -> ContainerRun? {
        let directory = directory(of: id)
        guard let text = Self.readText("\(directory)/run") else { return nil }
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard lines.count == 2 else { return nil }
        let words = lines[0].split(separator: " ")
        guard words.count == 3, let instance = Int(words[0]), let seconds = Double(words[2]),
            let object = ObjectName(String(lines[1].hasSuffix("\n") ? lines[1].dropLast() : lines[1]))
        else { return nil }
        var run = ContainerRun(
            id: id, object: object, instanceID: instance, container: String(words[1]),
            requestedAt: Date(timeIntervalSince1970: seconds))
        if let pids = Self.readText("\(directory)/pid")?.split(whereSeparator: { $0 == " " || $0 == "\n" }),
            pids.count >= 2
        {
            run.monitorPID = Int32(pids[0])
            run.containerPID = Int32(pids[1])
            if pids.count >= 3, let ticks = UInt64(pids[2]), ticks > 0 { run.containerStartTicks = ticks }
        }
        if let text = Self.readText("\(directory)/exit"), let (exit, at) = Self.parseExit(text) {
            run.exit = exit
            run.endedAt = at
        }
        if let bytes = ProcessTable.readSmallFile("\(directory)/instance.json") {
            run.instance = try? JSONDecoder().decode(InstanceState.self, from: Data(bytes))
        }
        return run
    }

    /// Every run recorded, oldest first, and the directories without a readable `run` file (a floed
    /// died while making them: nothing was started for them).
    public func list() -> (runs: [ContainerRun], unreadable: [String]) {
        guard let dir = opendir(path) else { return ([], []) }
        defer { closedir(dir) }
        var runs: [ContainerRun] = []
        var unreadable: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard !name.hasPrefix(".") else { continue }
            if let run = read(name) { runs.append(run) } else { unreadable.append(name) }
        }
        return (runs.sorted { $0.requestedAt < $1.requestedAt }, unreadable)
    }

    /// Removes run `id`'s directory.
    public func remove(_ id: String) {
        let directory = directory(of: id)
        for name in ["run", "instance.json", "pid", "exit", "pid.tmp", "exit.tmp"] { unlink("\(directory)/\(name)") }
        rmdir(directory)
    }

    /// `exit CODE SECONDS` or `signal NUMBER SECONDS` (floe-monitor's exit file).
    static func parseExit(_ text: String) -> (ContainerExit, Date)? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.count == 3, let number = Int32(words[1]), let seconds = Double(words[2]) else { return nil }
        let at = Date(timeIntervalSince1970: seconds)
        switch words[0] {
        case "exit": return (ContainerExit(exitCode: number, signal: nil), at)
        case "signal": return (ContainerExit(exitCode: nil, signal: number), at)
        default: return nil
        }
    }

    static func writeFile(_ text: String, to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        return close(fd) == 0 && written == bytes.count
    }

    static func readText(_ path: String) -> String? {
        ProcessTable.readSmallFile(path).map { String(decoding: $0, as: UTF8.self) }
    }
}
