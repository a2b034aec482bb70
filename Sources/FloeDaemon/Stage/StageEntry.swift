import FloeSpec
import Foundation

/// What floed knows of each stage file: the latest read (maybe broken) and the last good version,
/// which keeps running while the file is broken.
///
/// A value with its fields in one shared box (copy on write): the stage view of every published
/// snapshot shares the registry's dictionary of entries, so the registry's next reload copies that
/// dictionary; with the fields inline, that copy retained every field of every file's specs.
struct StageEntry: Sendable {
    private final class Storage: @unchecked Sendable {
        // Changed only through a StageEntry that holds the one reference (see `unique()`).
        var fileName: String
        var read: StageFile
        var latest: StageFile
        var lastGood: StageFile?
        var lastGoodText: String
        var createdOn: Date
        var updatedOn: Date

        init(
            fileName: String, read: StageFile, latest: StageFile, lastGood: StageFile?, lastGoodText: String,
            createdOn: Date, updatedOn: Date
        ) {
            self.fileName = fileName
            self.read = read
            self.latest = latest
            self.lastGood = lastGood
            self.lastGoodText = lastGoodText
            self.createdOn = createdOn
            self.updatedOn = updatedOn
        }

        func copy() -> Storage {
            Storage(
                fileName: fileName, read: read, latest: latest, lastGood: lastGood, lastGoodText: lastGoodText,
                createdOn: createdOn, updatedOn: updatedOn)
        }
    }

    private var storage: Storage

    init(
        fileName: String, read: StageFile, latest: StageFile, lastGood: StageFile?, lastGoodText: String,
        createdOn: Date, updatedOn: Date
    ) {
        storage = Storage(
            fileName: fileName, read: read, latest: latest, lastGood: lastGood, lastGoodText: lastGoodText,
            createdOn: createdOn, updatedOn: updatedOn)
    }

    private mutating func unique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    var fileName: String {
        get { storage.fileName }
        set {
            unique()
            storage.fileName = newValue
        }
    }
    /// The latest read of the file, with its own diagnostics only.
    var read: StageFile {
        get { storage.read }
        set {
            unique()
            storage.read = newValue
        }
    }
    /// The latest read of the file, with its diagnostics (cross-file ones included).
    var latest: StageFile {
        get { storage.latest }
        set {
            unique()
            storage.latest = newValue
        }
    }
    /// The last version without errors, and its text (DESCRIBE SERVICE's `spec`).
    var lastGood: StageFile? {
        get { storage.lastGood }
        set {
            unique()
            storage.lastGood = newValue
        }
    }
    var lastGoodText: String {
        get { storage.lastGoodText }
        set {
            unique()
            storage.lastGoodText = newValue
        }
    }
    var createdOn: Date {
        get { storage.createdOn }
        set {
            unique()
            storage.createdOn = newValue
        }
    }
    var updatedOn: Date {
        get { storage.updatedOn }
        set {
            unique()
            storage.updatedOn = newValue
        }
    }

    var errors: [Diagnostic] { latest.diagnostics.filter { $0.severity == .error } }
}
