import FloeSpec

extension StageWatcher {
    /// True when a file with this name (no directory part) is a stage file: it ends in `.yaml` or `.yml` and
    /// is not a dot-file, an editor backup, swap, lock or auto-save file (`x.yaml~`, `.x.yaml.swp`, vim's
    /// `4913` probe, Emacs' `#x.yaml#` and `.#x.yaml`).
    ///
    /// The rule is ``FloeSpec/StageFileFilter/isStageFile(_:)``, so that the watcher and the stage reader
    /// always agree on which files make up the stage.
    public static func isStageFile(_ name: String) -> Bool {
        StageFileFilter.isStageFile(name)
    }
}
