/// Reads a whole stage directory: every stage file, with the cross-file checks applied.
public enum StageReader {
    /// Reads every stage file of `directory` (see ``StageFileFilter``), sorted by file name, with
    /// ``StageChecker``'s diagnostics merged into each file's diagnostics. A file that fails a
    /// cross-file check keeps its object, but its error makes ``StageFile/hasErrors`` true.
    /// A directory that cannot be listed gives an empty list.
    public static func read(
        directory: String, options: SpecReaderOptions = SpecReaderOptions(),
        defaultPool: ObjectName = StageChecker.defaultPool,
        defaultPoolSpec: ComputePoolSpec = StageChecker.defaultPoolSpec, defaultPoolIsKnown: Bool = true
    ) -> [StageFile] {
        guard case .success(let names) = FileSystem.list(directory) else { return [] }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let files = names.filter(StageFileFilter.isStageFile).sorted().map { name in
            SpecReader.read(path: base + "/" + name, options: options)
        }
        return checked(
            files, defaultPool: defaultPool, defaultPoolSpec: defaultPoolSpec, defaultPoolIsKnown: defaultPoolIsKnown)
    }

    /// `files` with ``StageChecker``'s diagnostics merged in (and each file's diagnostics sorted).
    /// Two files naming the same object (`a.yaml` and `A.yml`) are an error in the second.
    public static func checked(
        _ files: [StageFile], defaultPool: ObjectName = StageChecker.defaultPool,
        defaultPoolSpec: ComputePoolSpec = StageChecker.defaultPoolSpec, defaultPoolIsKnown: Bool = true
    ) -> [StageFile] {
        var files = files
        var seen: [ObjectName: String] = [:]
        for index in files.indices {
            guard let name = files[index].name else { continue }
            if let first = seen[name] {
                files[index].diagnostics.append(
                    Diagnostic(
                        .error, file: files[index].path, line: 1, column: 1,
                        message:
                            "object \(name) is already defined by \(first) (names are case-insensitive); rename or remove one of the files"
                    ))
                files[index].object = nil
                files[index].digest = nil
            } else {
                seen[name] = files[index].path
            }
        }
        let extra = StageChecker.check(
            files, defaultPool: defaultPool, defaultPoolSpec: defaultPoolSpec, defaultPoolIsKnown: defaultPoolIsKnown)
        for index in files.indices {
            files[index].diagnostics += extra.filter { $0.file == files[index].path }
            files[index].diagnostics.sort()
        }
        return files
    }
}
