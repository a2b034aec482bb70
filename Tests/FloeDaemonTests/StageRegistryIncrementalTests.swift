import FloeCore
import FloeSpec
import Foundation
import Testing

@testable import FloeDaemon

/// A reload re-checks only the files a change can affect; these tests hold it to the full check.
@Suite("Stage registry, incremental reloads")
struct StageRegistryIncrementalTests {
    /// A small deterministic generator (SplitMix64), so a failure can be replayed from its seed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// File names (two of them name the same object) and what may be written to them: pools of two
    /// sizes, services and jobs in either pool or the default one, with or without an image or a
    /// command and of three sizes, functions calling services and endpoints that may not exist,
    /// images, and broken files.
    static let fileNames = [
        "p1.yaml", "p2.yaml", "s1.yaml", "s1.yml", "s2.yaml", "s3.yaml", "j1.yaml", "f1.yaml", "f2.yaml",
        "img1.yaml", "img2.yaml", "x.yaml",
    ]

    static func content(_ g: inout Generator) -> String {
        let pools = ["p1", "p2", "s1", "nowhere"]
        let images = ["/db/s/r/one", "/db/s/r/one:latest", "/db/s/r/two:v2"]
        func container() -> String {
            let image = images.randomElement(using: &g)!
            let command = Bool.random(using: &g) ? "    command: [/bin/true]\n" : ""
            let cpu = ["1", "2", "4"].randomElement(using: &g)!
            return "  containers:\n  - name: web\n    image: \(image)\n\(command)"
                + "    resources: {requests: {cpu: \(cpu), memory: 1Gi}}\n"
        }
        func pool() -> String {
            Bool.random(using: &g) ? "  computePool: \(pools.randomElement(using: &g)!)\n" : "  comment: default pool\n"
        }
        switch Int.random(in: 0..<7, using: &g) {
        case 0:
            let family = ["CPU_X64_XS", "CPU_X64_S"].randomElement(using: &g)!
            return "computePool:\n  instanceFamily: \(family)\n"
        case 1, 2:
            let proto = Bool.random(using: &g) ? "HTTP" : "TCP"
            return
                "service:\n\(pool())spec:\n\(container())  endpoints:\n  - {name: web, port: 8080, protocol: \(proto)}\n"
        case 3:
            return
                "job:\n\(pool().replacingOccurrences(of: "comment: default pool", with: "replicas: 1"))spec:\n\(container())"
        case 4:
            let service = ["s1", "s2", "s3", "p1", "j1"].randomElement(using: &g)!
            let endpoint = Bool.random(using: &g) ? "web" : "api"
            return "function:\n  service: \(service)\n  endpoint: \(endpoint)\n  path: /f\n  returns: varchar\n"
        case 5:
            return
                "image:\n  reference: \(images.randomElement(using: &g)!)\n  directory: /tmp\n  entrypoint: [/bin/true]\n"
        default:
            return Bool.random(using: &g) ? "service: [unclosed\n" : "spec:\n  containers: []\n"
        }
    }

    /// What the registry said for every file before reloads were incremental: the file's own
    /// diagnostics, the cross-file checks over the whole stage, and the duplicate-name rule.
    static func fullCheck(_ registry: StageRegistry, defaultPool: ComputePoolSpec) -> [String: [Diagnostic]] {
        let names = registry.entries.keys.sorted()
        let reads = names.map { registry.entries[$0]!.read }
        let cross = StageChecker.check(reads, defaultPool: registry.defaultPoolName, defaultPoolSpec: defaultPool)
        var first: [ObjectName: String] = [:]
        var result: [String: [Diagnostic]] = [:]
        for (name, read) in zip(names, reads) {
            var diagnostics = read.diagnostics + cross.filter { $0.file == read.path }
            if let object = read.name {
                if let earlier = first[object] {
                    diagnostics.append(
                        Diagnostic(
                            .error, file: read.path, line: 1, column: 1,
                            message:
                                "\(earlier) already defines \(object); one object per name: rename or remove one file"))
                } else {
                    first[object] = name
                }
            }
            result[name] = diagnostics.sorted()
        }
        return result
    }

    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func incrementalReloadsGiveTheFullChecksDiagnostics(seed: UInt64) throws {
        let directory = FileManager.default.temporaryDirectory.path + "/floe-registry-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let defaultPool = ComputePoolSpec(instanceFamily: InstanceFamily.named("CPU_X64_S")!)
        let poolName = ObjectName("DEFAULT_POOL")!
        var registry = StageRegistry(directory: directory, defaultPoolName: poolName, defaultPool: defaultPool)
        var g = Generator(state: seed)
        var reloaded = 0
        for step in 0..<150 {
            // One to three files change at once: written, rewritten or removed.
            var changed: Set<String> = []
            for _ in 0..<Int.random(in: 1...3, using: &g) {
                let name = Self.fileNames.randomElement(using: &g)!
                let path = directory + "/" + name
                if Int.random(in: 0..<4, using: &g) == 0 {
                    try? FileManager.default.removeItem(atPath: path)
                } else {
                    try Self.content(&g).write(toFile: path, atomically: true, encoding: .utf8)
                }
                changed.insert(name)
            }
            _ = registry.reload(changed, now: Date())
            reloaded += 1
            let expected = Self.fullCheck(registry, defaultPool: defaultPool)
            #expect(Set(registry.entries.keys) == Set(expected.keys), "seed \(seed), step \(step)")
            for (name, diagnostics) in expected {
                #expect(
                    registry.entries[name]?.latest.diagnostics == diagnostics,
                    "seed \(seed), step \(step), \(name): \(registry.entries[name]?.latest.diagnostics ?? [])")
            }
            // A registry that reads the whole stage at once agrees too, and so does the desired state
            // built from scratch.
            var fresh = StageRegistry(directory: directory, defaultPoolName: poolName, defaultPool: defaultPool)
            _ = fresh.reload(Set(registry.entries.keys), now: Date())
            for (name, entry) in fresh.entries {
                #expect(registry.entries[name]?.latest == entry.latest, "seed \(seed), step \(step), \(name)")
            }
            #expect(
                registry.desiredState(complete: true) == registry.rebuiltDesiredState(), "seed \(seed), step \(step)")
        }
        #expect(reloaded == 150)
    }

    /// A pool edited so that a service no longer fits: the service (not edited) gets the error; the pool
    /// made big again clears it, and the service's last good version ran throughout.
    @Test func aPoolEditReChecksTheServicesInIt() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/floe-registry-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let defaultPool = ComputePoolSpec(instanceFamily: InstanceFamily.named("CPU_X64_S")!)
        var registry = StageRegistry(
            directory: directory, defaultPoolName: ObjectName("DEFAULT_POOL")!, defaultPool: defaultPool)
        let service =
            "service:\n  computePool: pool\nspec:\n  containers:\n  - name: web\n    image: /db/s/r/a\n"
            + "    command: [/bin/true]\n    resources: {requests: {cpu: 2}}\n"
        try "computePool:\n  instanceFamily: CPU_X64_S\n".write(
            toFile: directory + "/pool.yaml", atomically: true, encoding: .utf8)
        try service.write(toFile: directory + "/web.yaml", atomically: true, encoding: .utf8)
        _ = registry.reload(["pool.yaml", "web.yaml"], now: Date())
        #expect(registry.entries["web.yaml"]?.errors.isEmpty == true)
        #expect(registry.desiredState(complete: true).services[ObjectName("WEB")!] != nil)

        try "computePool:\n  instanceFamily: CPU_X64_XS\n".write(
            toFile: directory + "/pool.yaml", atomically: true, encoding: .utf8)
        let changes = registry.reload(["pool.yaml"], now: Date())
        #expect(registry.entries["web.yaml"]?.errors.first?.message.contains("requests 2 CPU") == true)
        #expect(
            changes.contains {
                if case .rejected(let name, _, _, let keepsRunning) = $0 { return name?.value == "WEB" && keepsRunning }
                return false
            })
        #expect(registry.desiredState(complete: true).services[ObjectName("WEB")!] != nil)

        try "computePool:\n  instanceFamily: CPU_X64_S\n".write(
            toFile: directory + "/pool.yaml", atomically: true, encoding: .utf8)
        _ = registry.reload(["pool.yaml"], now: Date())
        #expect(registry.entries["web.yaml"]?.errors.isEmpty == true)
    }
}
