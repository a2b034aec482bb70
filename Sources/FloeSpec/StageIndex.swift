/// The files of one stage by the names the cross-file rules look up, kept up to date one file at a
/// time, so that a change to one file re-checks only the files it can affect (``dependents(of:)``).
///
/// `Key` identifies a file and orders the files: where two files define a pool or a service of the
/// same name, the one with the greatest key is the one the rules see (the last one in stage order).
/// ``StageChecker/check(_:defaultPool:defaultPoolSpec:defaultPoolIsKnown:)`` uses the position in
/// its list; floed's registry uses the file name.
public struct StageIndex<Key: Hashable & Comparable & Sendable>: Sendable {
    /// The pool a service or job without `computePool` runs in.
    public let defaultPool: ObjectName

    /// Files with a name, as inserted.
    private var files: [Key: StageFile] = [:]
    /// Files with this name (with an object or not).
    private var named: [ObjectName: Set<Key>] = [:]
    /// Files with this name and an object.
    private var present: [ObjectName: Set<Key>] = [:]
    private var pools: [ObjectName: [Key: ComputePoolSpec]] = [:]
    private var services: [ObjectName: [Key: ServiceSpec]] = [:]
    /// Image files by normalised reference.
    private var images: [String: Set<Key>] = [:]
    /// Services and jobs by the pool they name (the default pool when they name none).
    private var poolUsers: [ObjectName: Set<Key>] = [:]
    /// Functions by the service they call.
    private var serviceUsers: [ObjectName: Set<Key>] = [:]
    /// Services and jobs by the normalised references of their containers' images.
    private var imageUsers: [String: Set<Key>] = [:]

    /// An empty index.
    public init(defaultPool: ObjectName) {
        self.defaultPool = defaultPool
    }

    /// The file inserted under `key`, if it has a name (files without one take part in no rule).
    public func file(_ key: Key) -> StageFile? {
        files[key]
    }

    /// Adds `file` under `key`, replacing what was there.
    public mutating func insert(_ file: StageFile, key: Key) {
        remove(key)
        guard let name = file.name else { return }
        files[key] = file
        named[name, default: []].insert(key)
        guard let object = file.object else { return }
        present[name, default: []].insert(key)
        switch object {
        case .computePool(let pool): pools[name, default: [:]][key] = pool
        case .service(let header, let spec):
            services[name, default: [:]][key] = spec
            poolUsers[header.computePool ?? defaultPool, default: []].insert(key)
            for reference in Self.imageReferences(spec) { imageUsers[reference, default: []].insert(key) }
        case .job(let header, let spec):
            poolUsers[header.computePool ?? defaultPool, default: []].insert(key)
            for reference in Self.imageReferences(spec) { imageUsers[reference, default: []].insert(key) }
        case .function(let function): serviceUsers[function.service, default: []].insert(key)
        case .image(let image): images[StageChecker.normalisedReference(image.reference), default: []].insert(key)
        }
    }

    /// Removes the file under `key`, if any.
    public mutating func remove(_ key: Key) {
        guard let file = files.removeValue(forKey: key), let name = file.name else { return }
        Self.remove(key, from: &named, at: name)
        guard let object = file.object else { return }
        Self.remove(key, from: &present, at: name)
        switch object {
        case .computePool:
            pools[name]?[key] = nil
            if pools[name]?.isEmpty == true { pools[name] = nil }
        case .service(let header, let spec):
            services[name]?[key] = nil
            if services[name]?.isEmpty == true { services[name] = nil }
            Self.remove(key, from: &poolUsers, at: header.computePool ?? defaultPool)
            for reference in Self.imageReferences(spec) { Self.remove(key, from: &imageUsers, at: reference) }
        case .job(let header, let spec):
            Self.remove(key, from: &poolUsers, at: header.computePool ?? defaultPool)
            for reference in Self.imageReferences(spec) { Self.remove(key, from: &imageUsers, at: reference) }
        case .function(let function): Self.remove(key, from: &serviceUsers, at: function.service)
        case .image(let image): Self.remove(key, from: &images, at: StageChecker.normalisedReference(image.reference))
        }
    }

    /// The files whose cross-file diagnostics may change when `file` is added or removed: the files
    /// of the same name, and those that name it (services and jobs in a pool, functions calling a
    /// service, services and jobs using an image). Call it before removing and after inserting.
    public func dependents(of file: StageFile) -> Set<Key> {
        guard let name = file.name else { return [] }
        var keys = named[name] ?? []
        keys.formUnion(poolUsers[name] ?? [])
        keys.formUnion(serviceUsers[name] ?? [])
        if case .image(let image) = file.object {
            keys.formUnion(imageUsers[StageChecker.normalisedReference(image.reference)] ?? [])
        }
        return keys
    }

    // MARK: What the rules look up

    /// The pool `name` as the stage defines it (the last file defining it).
    public func pool(named name: ObjectName) -> ComputePoolSpec? {
        pools[name].flatMap { $0.max { $0.key < $1.key }?.value }
    }

    /// The service `name` as the stage defines it (the last file defining it).
    public func service(named name: ObjectName) -> ServiceSpec? {
        services[name].flatMap { $0.max { $0.key < $1.key }?.value }
    }

    /// True when an image file provides the (normalised) reference.
    public func hasImage(_ normalisedReference: String) -> Bool {
        images[normalisedReference] != nil
    }

    /// True when a file of this name defines an object.
    public func isPresent(_ name: ObjectName) -> Bool {
        present[name] != nil
    }

    /// True when files of this name exist but none defines an object (they all have errors).
    public func isBroken(_ name: ObjectName) -> Bool {
        named[name] != nil && present[name] == nil
    }

    /// The first file (smallest key) with this name.
    public func firstFile(named name: ObjectName) -> Key? {
        named[name]?.min()
    }

    // MARK: Helpers

    static func imageReferences(_ spec: ServiceSpec) -> Set<String> {
        Set(spec.containers.map { StageChecker.normalisedReference($0.image) })
    }

    private static func remove<Index: Hashable>(_ key: Key, from map: inout [Index: Set<Key>], at index: Index) {
        map[index]?.remove(key)
        if map[index]?.isEmpty == true { map[index] = nil }
    }
}
