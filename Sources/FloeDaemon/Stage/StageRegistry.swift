import FloeCore
import FloeSpec
import Foundation

/// The stage as floed sees it: one entry per stage file, and the desired state they make.
///
/// A reload costs what the changed files can affect, not the size of the stage: the cross-file rules
/// re-run only for the changed files and their dependents (``StageIndex``), and the desired state is
/// updated only for the objects whose last good version changed.
struct StageRegistry: Sendable {
    private(set) var entries: [String: StageEntry] = [:]
    /// The desired state of the last good versions, kept up to date by each reload.
    var desired: DesiredState
    /// The latest reads (`StageEntry.read`) by file name, for the cross-file rules.
    private(set) var index: StageIndex<String>
    /// Where each file's last good text is kept across floed's restarts (none in tests that do not
    /// set it).
    var lastGoodStore: LastGoodStore?
    /// Entries whose last good version defines an object of this name.
    var goodByName: [ObjectName: Set<String>] = [:]
    /// Entries whose last good version is an image, by normalised reference.
    var goodImages: [String: Set<String>] = [:]
    let directory: String
    let defaultPoolName: ObjectName
    let defaultPool: ComputePoolSpec
    /// Checks a spec file before it may run (floed: the ``StageGuard``); each problem becomes an error
    /// at 1:1 of the file, so a file that fails it is treated like a file with errors. Nil: no check.
    var fileCheck: (@Sendable (String) -> [StageProblem])?
    /// Checks what a read file says (floed: paths stay inside their roots, see ``PathRoots``); each
    /// diagnostic is added to the file, so an error keeps it from running. Nil: no check.
    var objectCheck: (@Sendable (StageFile) -> [Diagnostic])?

    init(directory: String, defaultPoolName: ObjectName, defaultPool: ComputePoolSpec) {
        self.directory = directory
        self.defaultPoolName = defaultPoolName
        self.defaultPool = defaultPool
        self.index = StageIndex(defaultPool: defaultPoolName)
        self.desired = DesiredState(pools: [defaultPoolName: defaultPool], complete: true)
    }

    /// What changed in one reload, for events and logs.
    enum Change: Sendable {
        case loaded(ObjectName, kind: String, file: String, updated: Bool)
        case rejected(ObjectName?, file: String, errors: [Diagnostic], keepsRunning: Bool)
        case removed(ObjectName, file: String)
    }

    /// Re-reads the named files (present or gone), re-runs the cross-file checks over them and the
    /// files they affect, and returns what changed. `all` = the complete list of stage file names (full
    /// scan), so that files that vanished without an event are dropped too.
    mutating func reload(_ names: Set<String>, all: Set<String>? = nil, now: Date) -> [Change] {
        var changes: [Change] = []
        var touched = names
        if let all {
            for gone in Set(entries.keys).subtracting(all) { touched.insert(gone) }
        }
        var fresh: [String: StageFile] = [:]
        var goodChanged = GoodChanges()
        for name in touched.sorted() {
            let path = "\(directory)/\(name)"
            if FileManager.default.fileExists(atPath: path) {
                let read = Self.guarded(SpecReader.read(path: path), problems: fileCheck?(path) ?? [])
                fresh[name] = Self.checked(read, diagnostics: objectCheck?(read) ?? [])
            } else if let old = entries.removeValue(forKey: name) {
                lastGoodStore?.remove(name)
                goodChanged.note(old.lastGood, nil)
                forgetGood(old.lastGood, entry: name)
                if let object = (old.lastGood ?? old.latest).name { changes.append(.removed(object, file: name)) }
            }
        }
        // Cross-file rules see the newest read of every file; only the files a change can affect are
        // checked again.
        var affected = Set(fresh.keys)
        for name in touched {
            if let old = index.file(name) { affected.formUnion(index.dependents(of: old)) }
            index.remove(name)
            if let file = fresh[name] { index.insert(file, key: name) }
        }
        for file in fresh.values { affected.formUnion(index.dependents(of: file)) }
        for name in affected.sorted() {
            guard let own = fresh[name] ?? entries[name]?.read else { continue }
            var file = own
            file.diagnostics.append(
                contentsOf: StageChecker.check(own, in: index, defaultPoolSpec: defaultPool))
            if let object = file.name, let first = index.firstFile(named: object), first != name {
                file.diagnostics.append(
                    Diagnostic(
                        .error, file: file.path, line: 1, column: 1,
                        message: "\(first) already defines \(object); one object per name: rename or remove one file"))
            }
            file.diagnostics.sort()
            let isFresh = fresh[name] != nil
            var entry =
                entries[name]
                ?? StageEntry(
                    fileName: name, read: own, latest: file, lastGood: nil, lastGoodText: "", createdOn: now,
                    updatedOn: now)
            let wasBroken = entry.latest.hasErrors
            entry.read = own
            entry.latest = file
            if file.hasErrors, entries[name] == nil, let kept = keptGood(name) {
                // Broken when floed starts: the last good version a previous floed kept runs on.
                goodChanged.note(nil, kept.file)
                entry.lastGood = kept.file
                noteGood(kept.file, entry: name)
                entry.lastGoodText = kept.text
            }
            if file.hasErrors {
                if isFresh || !wasBroken {
                    changes.append(
                        .rejected(
                            file.name, file: name, errors: file.diagnostics.filter { $0.severity == .error },
                            keepsRunning: entry.lastGood != nil))
                }
            } else if entry.lastGood?.digest != file.digest || entry.lastGood?.object != file.object {
                let updated = entry.lastGood != nil
                goodChanged.note(entry.lastGood, file)
                forgetGood(entry.lastGood, entry: name)
                entry.lastGood = file
                noteGood(file, entry: name)
                entry.lastGoodText = (try? String(contentsOfFile: file.path, encoding: .utf8)) ?? ""
                lastGoodStore?.save(name, entry.lastGoodText)
                entry.updatedOn = now
                if let object = file.name, let kind = file.object?.kind {
                    changes.append(.loaded(object, kind: kind, file: name, updated: updated))
                }
            }
            entries[name] = entry
        }
        updateDesiredState(goodChanged)
        return changes
    }

    /// The last good version of stage file `name` that a previous floed kept, read again (and checked
    /// as a stage file is), if there is one and it is still good.
    func keptGood(_ name: String) -> (file: StageFile, text: String)? {
        guard let text = lastGoodStore?.load(name) else { return nil }
        let path = "\(directory)/\(name)"
        let read = SpecReader.read(path: path, bytes: Array(text.utf8))
        let file = Self.checked(read, diagnostics: objectCheck?(read) ?? [])
        guard !file.hasErrors, file.object != nil else { return nil }
        return (file, text)
    }

    /// `file` with one error per problem (at 1:1, the problem's message and fix), and nothing to run.
    static func guarded(_ file: StageFile, problems: [StageProblem]) -> StageFile {
        guard !problems.isEmpty else { return file }
        var file = file
        for problem in problems {
            file.diagnostics.append(
                Diagnostic(
                    .error, file: file.path, line: 1, column: 1,
                    message: "\(problem.message); floed will not run it until this is fixed: \(problem.fix)"))
        }
        file.object = nil
        file.digest = nil
        return file
    }

    /// `file` with `diagnostics` added; nothing runs from it when one is an error.
    static func checked(_ file: StageFile, diagnostics: [Diagnostic]) -> StageFile {
        guard !diagnostics.isEmpty else { return file }
        var file = file
        file.diagnostics.append(contentsOf: diagnostics)
        if diagnostics.contains(where: { $0.severity == .error }) {
            file.object = nil
            file.digest = nil
        }
        return file
    }

    /// The last good version of every object, as the planner wants it.
    func desiredState(complete: Bool) -> DesiredState {
        var state = desired
        state.complete = complete
        return state
    }

    /// The local image a container reference names, if the stage has one (the first file, by name,
    /// whose last good version provides it).
    func image(for reference: String) -> ImageSpec? {
        imageEntry(Self.normalise(reference))?.0
    }

    /// A missing tag means `:latest` (the stage checker's rule, so both match images alike).
    static func normalise(_ reference: String) -> String {
        StageChecker.normalisedReference(reference)
    }

    /// What runs depends on the spec and on the images it uses: an edited image file upgrades too.
    /// `imageDigest` gives the digest of the image file providing a normalised reference.
    static func runDigest(_ specDigest: String, _ spec: ServiceSpec, imageDigest: (String) -> String?) -> String {
        let used = spec.containers.compactMap { imageDigest(normalise($0.image)) }
        guard !used.isEmpty else { return specDigest }
        return SpecDigest.combine([specDigest] + used)
    }
}
