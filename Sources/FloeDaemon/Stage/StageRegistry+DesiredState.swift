import FloeCore
import FloeSpec

/// Which last good versions a reload changed: the object names and image references to look at again.
struct GoodChanges {
    var names: Set<ObjectName> = []
    var images = false

    /// Records that an entry's last good version went from `old` to `new`.
    mutating func note(_ old: StageFile?, _ new: StageFile?) {
        for file in [old, new] {
            guard let file, let name = file.name else { continue }
            names.insert(name)
            if case .image = file.object { images = true }
        }
    }
}

extension StageRegistry {
    /// Indexes an entry's new last good version.
    mutating func noteGood(_ good: StageFile?, entry: String) {
        guard let good, let name = good.name else { return }
        goodByName[name, default: []].insert(entry)
        if case .image(let image) = good.object {
            goodImages[Self.normalise(image.reference), default: []].insert(entry)
        }
    }

    /// Drops an entry's old last good version from the indexes.
    mutating func forgetGood(_ good: StageFile?, entry: String) {
        guard let good, let name = good.name else { return }
        goodByName[name]?.remove(entry)
        if goodByName[name]?.isEmpty == true { goodByName[name] = nil }
        if case .image(let image) = good.object {
            let reference = Self.normalise(image.reference)
            goodImages[reference]?.remove(entry)
            if goodImages[reference]?.isEmpty == true { goodImages[reference] = nil }
        }
    }

    /// The image providing a normalised reference, and its digest: the first entry by file name.
    func imageEntry(_ reference: String) -> (ImageSpec, String)? {
        for name in (goodImages[reference] ?? []).sorted() {
            if let good = entries[name]?.lastGood, case .image(let image) = good.object, let digest = good.digest {
                return (image, digest)
            }
        }
        return nil
    }

    /// Brings the desired state up to date after a reload changed the last good versions in `changes`.
    /// An image change touches every service and job (their run digests include the images they use).
    mutating func updateDesiredState(_ changes: GoodChanges) {
        var names = changes.names
        if changes.images {
            names.formUnion(desired.services.keys)
            names.formUnion(desired.jobs.keys)
        }
        for name in names { updateDesired(name) }
    }

    /// Sets the desired pool, service and job called `name` from the last good versions that define
    /// them; where several files do, the first by file name wins.
    mutating func updateDesired(_ name: ObjectName) {
        var pool: ComputePoolSpec?
        var service: DesiredService?
        var job: DesiredJob?
        for entryName in (goodByName[name] ?? []).sorted() {
            guard let good = entries[entryName]?.lastGood, let digest = good.digest else { continue }
            switch good.object {
            case .computePool(let spec):
                if pool == nil { pool = spec }
            case .service(let header, let spec):
                if service == nil {
                    service = DesiredService(
                        name: name, header: header, spec: spec, digest: runDigest(digest, spec),
                        pool: header.computePool ?? defaultPoolName)
                }
            case .job(let header, let spec):
                if job == nil {
                    job = DesiredJob(
                        name: name, header: header, spec: spec, digest: runDigest(digest, spec),
                        pool: header.computePool ?? defaultPoolName)
                }
            case .function, .image, nil:
                break
            }
        }
        desired.pools[name] = pool ?? (name == defaultPoolName ? defaultPool : nil)
        desired.services[name] = service
        desired.jobs[name] = job
    }

    /// The desired state built from scratch from the entries (what ``updateDesiredState(_:)`` keeps up
    /// to date one change at a time; tests compare the two).
    func rebuiltDesiredState() -> DesiredState {
        var copy = self
        copy.desired = DesiredState(pools: [defaultPoolName: defaultPool], complete: true)
        copy.goodByName = [:]
        copy.goodImages = [:]
        var all = GoodChanges()
        for (name, entry) in entries {
            copy.noteGood(entry.lastGood, entry: name)
            all.note(entry.lastGood, nil)
        }
        copy.updateDesiredState(all)
        return copy.desired
    }

    private func runDigest(_ digest: String, _ spec: ServiceSpec) -> String {
        Self.runDigest(digest, spec) { imageEntry($0)?.1 }
    }
}
