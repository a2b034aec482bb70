import FloeCore
import FloeSpec
import Foundation

/// What floed knows of each stage file: the latest read (maybe broken) and the last good version,
/// which keeps running while the file is broken.
struct StageEntry: Sendable {
    var fileName: String
    /// The latest read of the file, with its own diagnostics only.
    var read: StageFile
    /// The latest read of the file, with its diagnostics (cross-file ones included).
    var latest: StageFile
    /// The last version without errors, and its text (DESCRIBE SERVICE's `spec`).
    var lastGood: StageFile?
    var lastGoodText: String
    var createdOn: Date
    var updatedOn: Date

    var errors: [Diagnostic] { latest.diagnostics.filter { $0.severity == .error } }
}

/// The stage as floed sees it: one entry per stage file, and the desired state they make.
struct StageRegistry: Sendable {
    private(set) var entries: [String: StageEntry] = [:]
    /// The desired state of the last good versions, rebuilt once per reload (not per reconcile).
    private var desired: DesiredState?
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
    }

    /// What changed in one reload, for events and logs.
    enum Change: Sendable {
        case loaded(ObjectName, kind: String, file: String, updated: Bool)
        case rejected(ObjectName?, file: String, errors: [Diagnostic], keepsRunning: Bool)
        case removed(ObjectName, file: String)
    }

    /// Re-reads the named files (present or gone), re-runs the cross-file checks over the whole
    /// stage and returns what changed. `all` = the complete list of stage file names (full scan),
    /// so that files that vanished without an event are dropped too.
    mutating func reload(_ names: Set<String>, all: Set<String>? = nil, now: Date) -> [Change] {
        var changes: [Change] = []
        var touched = names
        if let all {
            for gone in Set(entries.keys).subtracting(all) { touched.insert(gone) }
        }
        var fresh: [String: StageFile] = [:]
        for name in touched.sorted() {
            let path = "\(directory)/\(name)"
            if FileManager.default.fileExists(atPath: path) {
                let read = Self.guarded(SpecReader.read(path: path), problems: fileCheck?(path) ?? [])
                fresh[name] = Self.checked(read, diagnostics: objectCheck?(read) ?? [])
            } else if let old = entries.removeValue(forKey: name), let object = (old.lastGood ?? old.latest).name {
                changes.append(.removed(object, file: name))
            }
        }
        // Cross-file rules see the newest read of every file.
        var reads = entries.mapValues(\.read)
        for (name, file) in fresh { reads[name] = file }
        let files = reads.keys.sorted().map { ($0, reads[$0]!) }
        let cross = StageChecker.check(files.map(\.1), defaultPool: defaultPoolName, defaultPoolSpec: defaultPool)
        var duplicateNames: [ObjectName: String] = [:]
        for (name, own) in files {
            var file = own
            file.diagnostics.append(contentsOf: cross.filter { $0.file == file.path })
            if let object = file.name {
                if let first = duplicateNames[object] {
                    file.diagnostics.append(
                        Diagnostic(
                            .error, file: file.path, line: 1, column: 1,
                            message:
                                "\(first) already defines \(object); one object per name: rename or remove one file"))
                } else {
                    duplicateNames[object] = name
                }
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
            if file.hasErrors {
                if isFresh || !wasBroken {
                    changes.append(
                        .rejected(
                            file.name, file: name, errors: file.diagnostics.filter { $0.severity == .error },
                            keepsRunning: entry.lastGood != nil))
                }
            } else if entry.lastGood?.digest != file.digest || entry.lastGood?.object != file.object {
                let updated = entry.lastGood != nil
                entry.lastGood = file
                entry.lastGoodText = (try? String(contentsOfFile: file.path, encoding: .utf8)) ?? ""
                entry.updatedOn = now
                if let object = file.name, let kind = file.object?.kind {
                    changes.append(.loaded(object, kind: kind, file: name, updated: updated))
                }
            }
            entries[name] = entry
        }
        desired = buildDesiredState()
        return changes
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
        var state = desired ?? buildDesiredState()
        state.complete = complete
        return state
    }

    private func buildDesiredState() -> DesiredState {
        var desired = DesiredState(complete: true)
        desired.pools[defaultPoolName] = defaultPool
        var images: [String: (ImageSpec, String)] = [:]
        for entry in entries.values {
            guard let good = entry.lastGood, let name = good.name, let digest = good.digest else { continue }
            switch good.object {
            case .computePool(let pool): desired.pools[name] = pool
            case .image(let image): images[Self.normalise(image.reference)] = (image, digest)
            default: break
            }
        }
        for entry in entries.values {
            guard let good = entry.lastGood, let name = good.name, let digest = good.digest else { continue }
            switch good.object {
            case .service(let header, let spec):
                desired.services[name] = DesiredService(
                    name: name, header: header, spec: spec, digest: Self.runDigest(digest, spec, images),
                    pool: header.computePool ?? defaultPoolName)
            case .job(let header, let spec):
                desired.jobs[name] = DesiredJob(
                    name: name, header: header, spec: spec, digest: Self.runDigest(digest, spec, images),
                    pool: header.computePool ?? defaultPoolName)
            default: break
            }
        }
        return desired
    }

    /// The local image a container reference names, if the stage has one.
    func image(for reference: String) -> ImageSpec? {
        let wanted = Self.normalise(reference)
        for entry in entries.values {
            if case .image(let image) = entry.lastGood?.object, Self.normalise(image.reference) == wanted {
                return image
            }
        }
        return nil
    }

    /// A missing tag means `:latest` (the stage checker's rule, so both match images alike).
    static func normalise(_ reference: String) -> String {
        StageChecker.normalisedReference(reference)
    }

    /// What runs depends on the spec and on the images it uses: an edited image file upgrades too.
    static func runDigest(_ specDigest: String, _ spec: ServiceSpec, _ images: [String: (ImageSpec, String)]) -> String
    {
        let used = spec.containers.compactMap { images[normalise($0.image)]?.1 }
        guard !used.isEmpty else { return specDigest }
        return SpecDigest.combine([specDigest] + used)
    }
}
