import FloeSpec

/// What a command that changes something prints with `--json`, in place of its message:
/// `{"ok": true, "action": "suspend", "name": "ECHO", "status": "SUSPENDED"}`. Fields a command
/// has nothing for are left out.
struct Outcome: Encodable {
    /// A file `apply` copied into the stage.
    struct AppliedFile: Encodable {
        /// The file as given.
        var source: String
        /// Where it now is in the stage.
        var path: String
    }

    /// False only when the command failed after doing part of its work (apply with errors, a failed job).
    var ok = true
    /// The command: `apply`, `delete`, `suspend`, `token revoke`, `secret set`, ...
    var action: String
    /// The object the command acted on.
    var name: String?
    /// The stage file the command wrote or removed.
    var file: String?
    /// The object's status after the command (suspend, resume).
    var status: String?
    /// The files `apply` copied into the stage.
    var applied: [AppliedFile]?
    /// What checking the files found (apply).
    var diagnostics: [Diagnostic]?
}
