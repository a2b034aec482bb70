import FloeSpec
import Foundation

/// Writes files into the stage the safe way: validate first, then write a dot-file (which floed
/// ignores) and rename it into place, so floed never reads a half-written file.
struct StageWriter {
    let stage: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func apply(_ files: [String]) throws {
        var staged: [(String, [UInt8])] = []
        var read: [StageFile] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Failure(description: "cannot read \(file)")
            }
            staged.append(((file as NSString).lastPathComponent, Array(data)))
            read.append(SpecReader.read(path: file, bytes: Array(data)))
        }
        // Cross-file checks against the rest of the stage as it is now.
        let names = Set(staged.map(\.0))
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: stage)) ?? [])
            .filter { StageFileFilter.isStageFile($0) && !names.contains($0) }
            .map { SpecReader.read(path: "\(stage)/\($0)") }
        let cross = StageChecker.check(
            read + others, defaultPool: ObjectName("DEFAULT_POOL")!,
            defaultPoolSpec: ComputePoolSpec(instanceFamily: InstanceFamily.named("CPU_X64_S")!),
            defaultPoolIsKnown: false)
        let mine = Set(files)
        let diagnostics = (read.flatMap(\.diagnostics) + cross.filter { mine.contains($0.file) }).sorted()
        for d in diagnostics { FileHandle.standardError.write(Data("\(d)\n".utf8)) }
        let errors = diagnostics.filter { $0.severity == .error }.count
        if errors > 0 {
            throw Failure(description: "\(errors) error\(errors == 1 ? "" : "s"); nothing was applied")
        }
        for (name, bytes) in staged {
            try write(name: name, content: bytes)
            FileHandle.standardOutput.write(Data("applied \(name) -> \(stage)/\(name)\n".utf8))
        }
    }

    func write(name: String, content: [UInt8]) throws {
        let target = "\(stage)/\(name)"
        let temp = "\(stage)/.\(name).floectl-\(getpid())"
        guard
            FileManager.default.createFile(
                atPath: temp, contents: Data(content), attributes: [.posixPermissions: 0o644])
        else {
            throw Failure(description: "cannot write into the stage \(stage): \(String(cString: strerror(errno)))")
        }
        guard rename(temp, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw Failure(description: "cannot move \(temp) to \(target): \(reason)")
        }
    }

    /// The stage file whose name makes the object `name`.
    func file(defining name: ObjectName) -> String? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: stage)) ?? []
        for entry in entries.sorted() where StageFileFilter.isStageFile(entry) {
            let base = (entry as NSString).deletingPathExtension.replacingOccurrences(of: "-", with: "_")
            if ObjectName(base) == name { return "\(stage)/\(entry)" }
        }
        return nil
    }
}
