import ArgumentParser
import FloeSpec
import Foundation

/// `floectl validate PATH...`: checks stage files and prints diagnostics.
///
/// A directory is checked as one stage; files given one by one are checked together as one stage.
/// Exit status: 0 without errors, 1 with errors, 2 when a path cannot be read.
struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check stage files and print diagnostics.",
        discussion: """
            Prints `path:line:col: error: message` (and `warning:`) lines sorted by file and line, then a \
            summary. Exits 0 without errors, 1 with errors, 2 when a path cannot be read.
            """)

    /// `--json` prints one JSON object instead of text; validate reads files only and has no use for `--socket`.
    @OptionGroup(title: GlobalOptions.title) var global: GlobalOptions

    @Argument(help: "Files or directories (a directory is checked as one stage).")
    var paths: [String]

    @Flag(help: "Accept {{ name }} template placeholders that have no value.")
    var template = false

    func run() async throws {
        let options = SpecReaderOptions(allowTemplates: template)
        var files: [StageFile] = []
        var loose: [StageFile] = []
        var unreadable: [(String, String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                unreadable.append((path, "no such file or directory"))
                continue
            }
            if isDirectory.boolValue {
                guard FileManager.default.isReadableFile(atPath: path) else {
                    unreadable.append((path, "permission denied"))
                    continue
                }
                files += StageReader.read(directory: path, options: options, defaultPoolIsKnown: false)
            } else if !FileManager.default.isReadableFile(atPath: path) {
                unreadable.append((path, "permission denied"))
            } else {
                loose.append(SpecReader.read(path: path, options: options))
            }
        }
        files += StageReader.checked(loose, defaultPoolIsKnown: false)

        let diagnostics = files.flatMap(\.diagnostics).sorted()
        let errors = diagnostics.count { $0.severity == .error }
        let warnings = diagnostics.count { $0.severity == .warning }
        if global.json {
            printJSON(files, errors: errors, warnings: warnings, unreadable: unreadable)
        } else {
            for (path, why) in unreadable {
                FileHandle.standardError.write(Data("floectl: cannot read \(path): \(why)\n".utf8))
            }
            for diagnostic in diagnostics { print(diagnostic) }
            print(Self.summary(files: files.count, errors: errors, warnings: warnings))
        }
        if !unreadable.isEmpty { throw ExitCode(2) }
        if errors > 0 { throw ExitCode(1) }
    }

    /// `3 files checked: 1 error, 2 warnings`.
    static func summary(files: Int, errors: Int, warnings: Int) -> String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        return "\(plural(files, "file")) checked: \(plural(errors, "error")), \(plural(warnings, "warning"))"
    }

    private func printJSON(_ files: [StageFile], errors: Int, warnings: Int, unreadable: [(String, String)]) {
        struct Output: Encodable {
            struct File: Encodable {
                var path: String
                var name: String?
                var kind: String?
                var digest: String?
                var diagnostics: [Diagnostic]
            }
            struct Unreadable: Encodable {
                var path: String
                var reason: String
            }
            var files: [File]
            var errors: Int
            var warnings: Int
            var unreadable: [Unreadable]
        }
        let output = Output(
            files: files.map {
                Output.File(
                    path: $0.path, name: $0.name?.value, kind: $0.object?.kind, digest: $0.digest,
                    diagnostics: $0.diagnostics)
            },
            errors: errors, warnings: warnings,
            unreadable: unreadable.map { Output.Unreadable(path: $0.0, reason: $0.1) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(output) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
