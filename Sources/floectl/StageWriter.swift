import FloeSpec
import Foundation

/// Writes files into the stage the safe way: validate first, then write a dot-file (which floed
/// ignores) and rename it into place, so floed never reads a half-written file.
struct StageWriter {
    let stage: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Stage files read and checked, not yet written.
    struct Checked {
        /// Each file's name in the stage, its content and the path it was read from.
        var files: [(name: String, content: [UInt8], source: String)]
        /// What checking found, sorted by file and line.
        var diagnostics: [Diagnostic]
        var errors: Int { diagnostics.count { $0.severity == .error } }
    }

    /// Validates `files`, writes them into the stage when nothing is wrong, and says what it did:
    /// diagnostics on stderr, and the files applied on stdout (`--json`: one JSON ``Outcome``).
    func apply(_ files: [String], json: Bool) throws {
        let checked = try check(files)
        for d in checked.diagnostics { FileHandle.standardError.write(Data("\(d)\n".utf8)) }
        guard checked.errors == 0 else {
            if json {
                try printJSON(Outcome(ok: false, action: "apply", applied: [], diagnostics: checked.diagnostics))
            }
            let errors = checked.errors
            throw Failure(description: "\(errors) error\(errors == 1 ? "" : "s"); nothing was applied")
        }
        var applied: [Outcome.AppliedFile] = []
        for file in checked.files {
            try write(name: file.name, content: file.content)
            applied.append(Outcome.AppliedFile(source: file.source, path: "\(stage)/\(file.name)"))
            if !json { FileHandle.standardOutput.write(Data("applied \(file.name) -> \(stage)/\(file.name)\n".utf8)) }
        }
        if json { try printJSON(Outcome(action: "apply", applied: applied, diagnostics: checked.diagnostics)) }
    }

    /// Reads `files` and checks them, each on its own and against the rest of the stage as it is now.
    func check(_ files: [String]) throws -> Checked {
        var staged: [(name: String, content: [UInt8], source: String)] = []
        var read: [StageFile] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw Failure(description: "cannot read \(file)")
            }
            staged.append(((file as NSString).lastPathComponent, Array(data), file))
            read.append(SpecReader.read(path: file, bytes: Array(data)))
        }
        // Cross-file checks against the rest of the stage as it is now.
        let names = Set(staged.map(\.name))
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: stage)) ?? [])
            .filter { StageFileFilter.isStageFile($0) && !names.contains($0) }
            .map { SpecReader.read(path: "\(stage)/\($0)") }
        let cross = StageChecker.check(
            read + others, defaultPool: ObjectName("DEFAULT_POOL")!,
            defaultPoolSpec: ComputePoolSpec(instanceFamily: InstanceFamily.named("CPU_X64_S")!),
            defaultPoolIsKnown: false)
        let mine = Set(files)
        let diagnostics = (read.flatMap(\.diagnostics) + cross.filter { mine.contains($0.file) }).sorted()
        return Checked(files: staged, diagnostics: diagnostics)
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
