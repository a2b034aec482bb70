/// Which directory entries are stage files: `*.yaml` and `*.yml`, but not hidden files, editor
/// backups, swap or temporary files (which must never become services).
public enum StageFileFilter {
    /// True for a stage file name (a name, not a path).
    public static func isStageFile(_ fileName: String) -> Bool {
        guard fileName.hasSuffix(".yaml") || fileName.hasSuffix(".yml") else { return false }
        if fileName.hasPrefix(".") || fileName.hasPrefix("#") || fileName.hasPrefix("~") { return false }
        if fileName.contains("/") { return false }
        // `.yaml` alone, or names like `a.yaml` whose stem is empty.
        return fileName != ".yaml" && fileName != ".yml"
    }
}
