import Testing

@testable import FloeSpec

@Suite("Header kinds")
struct HeaderRuleTests {
    @Test func serviceHeaderDefaultsAndValues() throws {
        let file = read(
            """
            service:
              computePool: my_pool
              minInstances: 2
              maxInstances: 4
              using: {tag: v1}
            """ + "\n" + minimalService)
        expectClean(file)
        guard case .service(let header, _) = try #require(file.object) else { return }
        #expect(header.computePool?.value == "MY_POOL")
        #expect(header.minInstances == 2 && header.maxInstances == 4 && header.minReadyInstances == 2)
        #expect(header.using == ["tag": "v1"] && header.stopGraceSeconds == 30)
    }

    @Test func instanceCountsAreChecked() {
        let low = read("service:\n  minInstances: 3\n  maxInstances: 2\n" + minimalService)
        expectDiagnostic(low, line: 3, column: 17, "maxInstances (2) is below minInstances (3)")
        let ready = read("service:\n  minInstances: 1\n  minReadyInstances: 2\n" + minimalService)
        expectDiagnostic(ready, line: 3, column: 22, "minReadyInstances (2) is above minInstances (1)")
        let zero = read("service:\n  minInstances: 0\n" + minimalService)
        expectDiagnostic(zero, line: 2, column: 17, "minInstances must be between 1 and 1000, found 0")
    }

    @Test func poolNameMustBeAnIdentifier() {
        let file = read("service:\n  computePool: my-pool\n" + minimalService)
        expectDiagnostic(file, line: 2, column: 16, "'my-pool' is not an SPCS identifier")
    }

    @Test func jobHeader() throws {
        let file = read("job:\n  replicas: 3\n" + minimalService, name: "train.yaml")
        expectClean(file)
        guard case .job(let header, _) = try #require(file.object) else { return }
        #expect(header.replicas == 3 && header.retries == 0)
        let zero = read("job:\n  replicas: 0\n" + minimalService)
        expectDiagnostic(zero, line: 2, column: 13, "replicas must be between 1 and 1000")
        let wrongKey = read("job:\n  minInstances: 2\n" + minimalService)
        expectDiagnostic(wrongKey, line: 2, column: 3, "unknown key 'minInstances' in job")
    }

    @Test func computePool() throws {
        let file = read("computePool:\n  minNodes: 1\n  maxNodes: 2\n  instanceFamily: cpu_x64_xs\n", name: "pool.yaml")
        expectClean(file)
        guard case .computePool(let pool) = try #require(file.object) else { return }
        #expect(pool.instanceFamily.name == "CPU_X64_XS" && pool.maxNodes == 2 && pool.autoSuspendSecs == 3600)
        let bad = read("computePool:\n  minNodes: 2\n  maxNodes: 1\n  instanceFamily: CPU_X64_XL\n")
        expectDiagnostic(bad, line: 4, column: 19, "not an SPCS instance family; did you mean 'CPU_X64_XS'?")
        let order = read("computePool:\n  minNodes: 2\n  maxNodes: 1\n  instanceFamily: CPU_X64_S\n")
        expectDiagnostic(order, line: 3, column: 13, "maxNodes (1) is below minNodes (2)")
        let zero = read("computePool:\n  minNodes: 0\n  instanceFamily: CPU_X64_S\n")
        expectDiagnostic(zero, line: 2, column: 13, "minNodes must be between 1 and 1000")
        let missing = read("computePool:\n  minNodes: 1\n")
        expectDiagnostic(missing, line: 2, column: 3, "needs 'instanceFamily'", "CPU_X64_XS")
        let withSpec = read("computePool:\n  instanceFamily: CPU_X64_S\n" + minimalService)
        expectDiagnostic(withSpec, line: 3, column: 1, "unknown key 'spec' in the file's top level")
    }

    @Test func function() throws {
        let file = read(
            """
            function:
              service: filter_service
              endpoint: filterendpoint
              path: /filter
              arguments: [{name: InputText, type: varchar}]
              returns: varchar
              maxBatchRows: 100
            """, name: "filter.yaml")
        expectClean(file)
        guard case .function(let function) = try #require(file.object) else { return }
        #expect(function.service.value == "FILTER_SERVICE" && function.arguments.map(\.name) == ["InputText"])
        #expect(function.maxBatchRetries == 3 && function.onBatchFailure == .abort && function.batchTimeoutSecs == 3600)
        let bad = read(
            "function:\n  service: s\n  endpoint: e\n  path: filter\n  returns: varchar\n  onBatchFailure: skip\n")
        expectDiagnostic(bad, line: 4, column: 9, "path 'filter' must start with '/'")
        expectDiagnostic(bad, line: 6, column: 19, "ABORT or RETURN_NULL")
        let missing = read("function:\n  service: s\n  path: /f\n")
        expectDiagnostic(missing, line: 2, column: 3, "function needs 'endpoint'")
        expectDiagnostic(missing, line: 2, column: 3, "function needs 'returns'")
    }

    @Test func imageDirectoryIsResolvedAgainstTheFile() throws {
        let file = SpecReader.read(
            path: "/srv/stage/filter_image.yaml",
            bytes: Array(
                """
                image:
                  reference: /db/sch/repo/filter:latest
                  directory: ../examples/./filter_service
                  entrypoint: [python3]
                  cmd: [filter_service.py]
                  env: {PYTHONUNBUFFERED: "1"}
                """.utf8))
        expectClean(file)
        guard case .image(let image) = try #require(file.object) else { return }
        #expect(image.directory == "/srv/examples/filter_service")
        #expect(image.entrypoint == ["python3"] && image.cmd == ["filter_service.py"])
        #expect(image.env == [EnvVar(name: "PYTHONUNBUFFERED", value: "1")])
    }

    @Test func twoHeadersAreAnError() {
        let file = read("service: {}\njob: {}\n" + minimalService)
        expectDiagnostic(file, line: 2, column: 1, "both 'service' and 'job'")
    }
}
