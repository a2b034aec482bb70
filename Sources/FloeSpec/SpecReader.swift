import FloeYAML

/// Options for reading stage files.
public struct SpecReaderOptions: Sendable, Hashable {
    /// Accept `{{ name }}` placeholders that have no value (`floectl validate --template`).
    public var allowTemplates: Bool
    public init(allowTemplates: Bool = false) {
        self.allowTemplates = allowTemplates
    }
}

/// Turns one stage file into a ``StageFile``: a checked ``StageObject`` or positioned diagnostics.
///
/// The object's name comes from the file name (without `.yaml`/`.yml`). A top-level header key
/// (`service`, `job`, `computePool`, `function`, `image`) says what the file is; a file without
/// one is a service with default properties.
public enum SpecReader {
    /// Reads a file from disk. A file that cannot be read gives one error diagnostic at 1:1.
    public static func read(path: String, options: SpecReaderOptions = SpecReaderOptions()) -> StageFile {
        fatalError("SpecReader.read(path:) is being written (issue 2)")
    }

    /// Reads `bytes` as the content of the stage file at `path`.
    public static func read(path: String, bytes: [UInt8], options: SpecReaderOptions = SpecReaderOptions()) -> StageFile {
        fatalError("SpecReader.read(path:bytes:) is being written (issue 2)")
    }
}

/// Rules that span files of one stage.
public enum StageChecker {
    /// Cross-file checks over a whole stage (pools exist, instances fit a node of their pool,
    /// functions name existing services and HTTP endpoints, images exist or commands are given).
    /// Returns the diagnostics to add, each naming the file it belongs to.
    public static func check(_ files: [StageFile], defaultPool: ObjectName, defaultPoolSpec: ComputePoolSpec) -> [Diagnostic] {
        fatalError("StageChecker.check is being written (issue 2)")
    }
}

/// The stable hash of an object's meaning (not its bytes).
public enum SpecDigest {
    /// A hex digest; comments, key order, quoting and formatting do not change it, nor do a
    /// service's minInstances/maxInstances/minReadyInstances; anything that changes what runs does.
    public static func digest(of object: StageObject) -> String {
        fatalError("SpecDigest.digest is being written (issue 2)")
    }
}

/// Which file names in a stage directory are stage files.
public enum StageFileFilter {
    /// Only `*.yaml` / `*.yml`; never dot-files or editor temporaries.
    public static func isStageFile(_ fileName: String) -> Bool {
        fatalError("StageFileFilter is being written (issue 2)")
    }
}
