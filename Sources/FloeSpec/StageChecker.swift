/// Rules that span files of one stage.
public enum StageChecker {
    /// The pool a service or job without `computePool` runs in, unless the daemon says otherwise.
    public static let defaultPool = ObjectName("DEFAULT_POOL")!
    /// What the default pool is when the daemon says nothing: one CPU_X64_S node (3 vCPU, 13 GiB).
    public static let defaultPoolSpec = ComputePoolSpec(
        minNodes: 1, maxNodes: 1, instanceFamily: InstanceFamily.named("CPU_X64_S")!)

    /// Cross-file checks over a whole stage (pools exist, instances fit a node of their pool,
    /// functions name existing services and HTTP endpoints, images exist or commands are given).
    /// Returns the diagnostics to add, each naming the file it belongs to.
    ///
    /// `defaultPoolIsKnown` is false where the default pool is a guess (`floectl validate`, which does
    /// not know floed's configuration): an instance too big for the guessed default pool is then a
    /// warning, since floed's default pool may be larger.
    public static func check(
        _ files: [StageFile], defaultPool: ObjectName, defaultPoolSpec: ComputePoolSpec,
        defaultPoolIsKnown: Bool = true
    ) -> [Diagnostic] {
        var index = StageIndex<Int>(defaultPool: defaultPool)
        for (position, file) in files.enumerated() { index.insert(file, key: position) }
        var diagnostics: [Diagnostic] = []
        for file in files {
            diagnostics += check(
                file, in: index, defaultPoolSpec: defaultPoolSpec, defaultPoolIsKnown: defaultPoolIsKnown)
        }
        return diagnostics.sorted()
    }

    /// The cross-file diagnostics of one file against the rest of the stage (`index`, which should
    /// hold `file` too), in the order ``check(_:defaultPool:defaultPoolSpec:defaultPoolIsKnown:)``
    /// makes them. floed calls it for the files a change can affect (``StageIndex/dependents(of:)``).
    public static func check<Key>(
        _ file: StageFile, in index: StageIndex<Key>, defaultPoolSpec: ComputePoolSpec,
        defaultPoolIsKnown: Bool = true
    ) -> [Diagnostic] {
        guard let name = file.name, let object = file.object else { return [] }
        let defaultPool = index.defaultPool
        var diagnostics: [Diagnostic] = []
        func report(_ key: String, _ message: String) {
            add(.error, key, message)
        }
        func warn(_ key: String, _ message: String) {
            add(.warning, key, message)
        }
        func guessed(_ key: String, _ message: String) {
            add(
                .warning, key,
                message
                    + " (this check assumes \(defaultPool) is \(defaultPoolSpec.maxNodes) \(defaultPoolSpec.instanceFamily.name) node(s); floed's default pool may differ: name a computePool to be sure)"
            )
        }
        func add(_ severity: Diagnostic.Severity, _ key: String, _ message: String) {
            let position = file.positions[key] ?? .start
            diagnostics.append(
                Diagnostic(severity, file: file.path, line: position.line, column: position.column, message: message))
        }
        switch object {
        case .service(let header, let spec):
            checkPool(
                header.computePool, spec: spec, what: "service \(name)", index: index,
                defaultPoolSpec: defaultPoolSpec, report: report,
                fit: header.computePool == nil && !defaultPoolIsKnown ? guessed : report)
            checkImages(spec, index: index, report: warn)
        case .job(let header, let spec):
            checkPool(
                header.computePool, spec: spec, what: "job \(name)", index: index,
                defaultPoolSpec: defaultPoolSpec, report: report,
                fit: header.computePool == nil && !defaultPoolIsKnown ? guessed : report)
            checkImages(spec, index: index, report: warn)
        case .function(let function):
            if SpecTemplate.isUnresolved(function.service.value.lowercased()) { break }
            guard let spec = index.service(named: function.service) else {
                let why =
                    index.isPresent(function.service)
                    ? "is not a service"
                    : index.isBroken(function.service)
                        ? "has errors in its file (fix them first)" : "has no file in this stage"
                report(
                    "function.service",
                    "function \(name) calls service \(function.service), which \(why); add \(function.service.value.lowercased()).yaml with a service spec or fix the name"
                )
                break
            }
            guard let endpoint = spec.endpoints.first(where: { $0.name == function.endpoint }) else {
                let known = spec.endpoints.map(\.name)
                let hint = known.isEmpty ? "it declares none" : "it declares \(known.joined(separator: ", "))"
                report(
                    "function.endpoint",
                    "function \(name) uses endpoint '\(function.endpoint)', which service \(function.service) does not declare; \(hint)"
                )
                break
            }
            if endpoint.protocol != .http {
                report(
                    "function.endpoint",
                    "function \(name) uses endpoint '\(function.endpoint)' of service \(function.service), which is \(endpoint.protocol.rawValue); service functions need an HTTP endpoint"
                )
            }
        case .computePool, .image:
            break
        }
        return diagnostics
    }

    private static func checkPool<Key>(
        _ poolName: ObjectName?, spec: ServiceSpec, what: String, index: StageIndex<Key>,
        defaultPoolSpec: ComputePoolSpec, report: (String, String) -> Void, fit: (String, String) -> Void
    ) {
        let defaultPool = index.defaultPool
        let name = poolName ?? defaultPool
        if SpecTemplate.isUnresolved(name.value.lowercased()) { return }
        let pool: ComputePoolSpec
        if let defined = index.pool(named: name) {
            pool = defined
        } else if name == defaultPool {
            pool = defaultPoolSpec
        } else if index.isBroken(name) {
            report("computePool", "compute pool \(name) has errors in its file; fix them first")
            return
        } else {
            report(
                "computePool",
                "compute pool \(name) is not defined in this stage; add \(name.value.lowercased()).yaml with a computePool: header, or leave computePool out to use the default pool (\(defaultPool))"
            )
            return
        }
        let family = pool.instanceFamily
        let request = spec.instanceRequest
        var problems: [String] = []
        if let cpu = request.milliCPU, cpu > family.milliCPU {
            problems.append(
                "requests \(Quantity.formatCPU(cpu)) CPU but a \(family.name) node has \(family.vCPUs) vCPU (\(Quantity.formatCPU(cpu - family.milliCPU)) over)"
            )
        }
        if let memory = request.memoryBytes, memory > family.memoryBytes {
            problems.append(
                "requests \(Quantity.formatBytes(memory)) of memory but a \(family.name) node has \(family.memoryGiB) GiB (\(Quantity.formatBytes(memory - family.memoryBytes)) over)"
            )
        }
        if let gpus = request.gpus, gpus > family.gpus {
            problems.append(
                "requests \(gpus) GPU but a \(family.name) node has \(family.gpus) (\(gpus - family.gpus) over)")
        }
        if !problems.isEmpty {
            fit(
                poolName == nil ? "spec" : "computePool",
                "\(what) \(problems.joined(separator: " and ")); one instance must fit on one node: use a larger instance family or lower the request"
            )
        }
    }

    /// A missing image is not a file error: as in SPCS, the instance waits PENDING ("Failed to pull
    /// image") until the image appears, so this is a warning.
    private static func checkImages<Key>(
        _ spec: ServiceSpec, index: StageIndex<Key>, report: (String, String) -> Void
    ) {
        for (position, container) in spec.containers.enumerated() {
            if container.command != nil || SpecTemplate.isUnresolved(container.image) { continue }
            if index.hasImage(normalisedReference(container.image)) { continue }
            report(
                "spec.containers[\(position)].image",
                "container '\(container.name)' uses image '\(container.image)', which no image: file in this stage provides, so it will stay PENDING with \"Failed to pull image\"; add an image file with reference: \(container.image), or give the container a command"
            )
        }
    }

    /// `repo/name` -> `repo/name:latest`; references with a tag or digest stay as they are.
    public static func normalisedReference(_ reference: String) -> String {
        let lastComponent = reference.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        if lastComponent.contains(":") || lastComponent.contains("@") { return reference }
        return reference + ":latest"
    }
}
