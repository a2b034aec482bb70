extension StageWatcher {
    /// Editor and tool leftovers that are never stage files, whatever else their name says.
    static let ignoredSuffixes = ["~", ".swp", ".swx", ".tmp"]

    /// True when a file with this name (no directory part) is a stage file: it ends in `.yaml` or `.yml`
    /// (lower case, with something before it) and is not a dot-file, an editor backup, swap, lock or
    /// auto-save file (`x~`, `.x.swp`, `x.swx`, `x.tmp`, vim's `4913` probe, Emacs' `#x#` and `.#x`).
    ///
    /// To move to `FloeSpec.StageFileFilter.isStageFile(_:)` once that exists.
    public static func isStageFile(_ name: String) -> Bool {
        guard !name.isEmpty, !name.contains("/"), !name.contains("\0") else { return false }
        if name.hasPrefix(".") || name.hasPrefix("#") || name == "4913" { return false }
        if ignoredSuffixes.contains(where: { name.hasSuffix($0) }) { return false }
        for suffix in [".yaml", ".yml"] where name.hasSuffix(suffix) {
            return name.utf8.count > suffix.utf8.count
        }
        return false
    }
}
