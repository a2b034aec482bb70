import Testing

@testable import FloeSpec

@Suite("Endpoints, volumes, roles and spec-level rules")
struct SpecRuleTests {
    @Test func endpointDefaults() throws {
        let file = read(minimalService + "\n  endpoints:\n  - name: api\n    port: 8080")
        expectClean(file)
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.endpoints == [EndpointSpec(name: "api", port: 8080, isPublic: false, protocol: .http)])
    }

    @Test func endpointNeedsExactlyOneOfPortAndPortRange() {
        let both = read(
            minimalService
                + "\n  endpoints:\n  - name: api\n    port: 8080\n    portRange: 9000-9010\n    protocol: TCP")
        expectDiagnostic(both, line: 7, column: 11, "both 'port' and 'portRange'")
        let neither = read(minimalService + "\n  endpoints:\n  - name: api\n    public: true")
        expectDiagnostic(neither, line: 6, column: 5, "needs 'port'")
    }

    @Test func portRangeOnlyTCPAndNotPublic() throws {
        let http = read(minimalService + "\n  endpoints:\n  - name: api\n    portRange: 9000-9010")
        expectDiagnostic(http, line: 7, column: 16, "portRange needs protocol: TCP")
        let publicRange = read(
            minimalService
                + "\n  endpoints:\n  - name: api\n    portRange: 9000-9010\n    protocol: TCP\n    public: true")
        expectDiagnostic(publicRange, line: 7, column: 16, "cannot be public")
        let reversed = read(
            minimalService + "\n  endpoints:\n  - name: api\n    portRange: 9010-9000\n    protocol: TCP")
        expectDiagnostic(reversed, line: 7, column: 16, "'9010-9000'", "first not above the second")
        let good = read(minimalService + "\n  endpoints:\n  - name: api\n    portRange: 9000-9010\n    protocol: TCP")
        expectClean(good)
        guard case .service(_, let spec) = try #require(good.object) else { return }
        #expect(spec.endpoints[0].portRange == 9000...9010)
    }

    @Test func publicEndpointsAreHTTP() {
        let file = read(
            minimalService + "\n  endpoints:\n  - name: api\n    port: 5432\n    protocol: TCP\n    public: true")
        expectDiagnostic(file, line: 9, column: 13, "public endpoints must use protocol HTTP")
        let badProtocol = read(minimalService + "\n  endpoints:\n  - name: api\n    port: 5432\n    protocol: UDP")
        expectDiagnostic(badProtocol, line: 8, column: 15, "protocol must be HTTP or TCP", "UDP")
    }

    @Test func endpointNamesAreUniqueAndWellFormed() {
        let file = read(
            minimalService
                + "\n  endpoints:\n  - name: api\n    port: 1\n  - name: api\n    port: 2\n  - name: my_api\n    port: 3"
        )
        expectDiagnostic(file, line: 8, column: 5, "endpoint name 'api' is used twice")
        expectDiagnostic(file, line: 10, column: 11, "'my_api'", "has '_'")
    }

    @Test func memoryAndBlockVolumesNeedASize() {
        let file = read(
            """
            spec:
              containers:
              - name: main
                image: /a/b/c/d
                volumeMounts:
                - {name: scratch, mountPath: /scratch}
              volumes:
              - name: scratch
                source: memory
            """)
        expectDiagnostic(file, line: 8, column: 5, "memory volume and needs 'size'")
    }

    @Test func volumeSourceMustBeKnown() {
        let file = read(minimalService + "\n  volumes:\n  - name: v\n    source: nfs")
        expectDiagnostic(file, line: 7, column: 13, "source must be local, memory, block or stage", "nfs")
    }

    @Test func deprecatedStageFormIsAcceptedWithAWarning() throws {
        let file = read(
            """
            spec:
              containers:
              - name: main
                image: /a/b/c/d
                volumeMounts:
                - {name: models, mountPath: /models}
                - {name: tmp, mountPath: /tmp}
              volumes:
              - name: models
                source: "@model_stage"
                uid: 1000
              - name: tmp
                source: local
                uid: 1000
            """)
        expectClean(file)
        expectDiagnostic(file, .warning, line: 10, column: 13, "deprecated stage form", "stageConfig.name")
        expectDiagnostic(file, .warning, line: 14, column: 10, "uid applies only to stage volumes")
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.volumes[0] == VolumeSpec(name: "models", source: .stage, stageName: "@model_stage", uid: 1000))
    }

    @Test func serviceRolesNameDeclaredEndpoints() {
        let file = read(
            minimalService + """

                  endpoints:
                  - name: ui
                    port: 8080
                serviceRoles:
                - name: viewer
                  endpoints:
                  - ui
                  - api
                """)
        expectDiagnostic(file, line: 12, column: 5, "names endpoint 'api', which spec does not declare", "ui")
    }

    @Test func singularFormsAreAccepted() throws {
        let file = read(
            """
            spec:
              container:
              - name: main
                image: /a/b/c/d
              endpoint:
              - name: api
                port: 8000
            """)
        expectClean(file)
        #expect(file.diagnostics.isEmpty, "\(describe(file))")
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.containers.count == 1 && spec.endpoints.count == 1)
    }

    @Test func singularAndPluralTogetherIsAnError() {
        let file = read(
            """
            spec:
              containers:
              - name: a
                image: /a/b/c/d
              container:
              - name: b
                image: /a/b/c/d
            """)
        expectDiagnostic(file, line: 5, column: 3, "both 'containers' (line 2) and 'container'")
    }

    @Test func networkPolicyConfigIsAcceptedWithAWarning() throws {
        let file = read(minimalService + "\n  networkPolicyConfig:\n    allowInternetEgress: true")
        expectClean(file)
        expectDiagnostic(file, .warning, line: 5, column: 3, "networkPolicyConfig is not in SPCS's reference")
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.allowInternetEgress == true)
    }

    @Test func capabilitiesAndLogExporters() throws {
        let file = read(
            minimalService + """

                  logExporters:
                    eventTableConfig:
                      logLevel: ERROR
                capabilities:
                  securityContext:
                    executeAsCaller: true
                """)
        expectClean(file)
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.logLevel == "ERROR" && spec.executeAsCaller)
        let bad = read(minimalService + "\n  logExporters:\n    eventTableConfig:\n      logLevel: DEBUG")
        expectDiagnostic(bad, line: 7, column: 17, "logLevel must be INFO, ERROR or NONE")
    }

    @Test func topLevelMustBeAMappingWithSpec() {
        let list = read("- a\n- b\n")
        expectDiagnostic(list, line: 1, column: 1, "must be a mapping", "found a list")
        let noSpec = read("service:\n  minInstances: 2\n")
        expectDiagnostic(noSpec, line: 1, column: 1, "has no 'spec'")
        let empty = read("# nothing\n")
        expectDiagnostic(empty, line: 1, column: 1, "the file is empty")
        let stray = read(minimalService + "\nspecs: {}")
        expectDiagnostic(stray, line: 5, column: 1, "unknown key 'specs' in the file's top level; did you mean 'spec'?")
    }

    @Test func fileNameMustBeAnIdentifier() {
        let file = read(minimalService, name: "my-service.yaml")
        expectDiagnostic(file, line: 1, column: 1, "'my-service.yaml'", "rename it", "my_service.yaml")
        #expect(file.name == nil && file.object == nil)
        let good = read(minimalService, name: "My_Service$2.yml")
        #expect(good.name?.value == "MY_SERVICE$2")
    }
}

@Suite("Limits per service")
struct LimitTests {
    @Test func atMostTwentyVolumesAndHundredEndpoints() {
        var yaml = minimalService + "\n  volumes:\n"
        for index in 0..<21 { yaml += "  - {name: v\(index), source: local}\n" }
        expectDiagnostic(read(yaml), line: 26, column: 5, "21 volumes", "at most 20")
        var endpoints = minimalService + "\n  endpoints:\n"
        for index in 0..<101 { endpoints += "  - {name: e\(index), port: \(8000 + index)}\n" }
        expectDiagnostic(read(endpoints), line: 106, column: 5, "101 endpoints", "at most 100")
    }

    @Test func atMostFiftySecrets() {
        var yaml = minimalService + "\n    secrets:\n"
        for index in 0..<51 { yaml += "    - {snowflakeSecret: s\(index), directoryPath: /s\(index)}\n" }
        expectDiagnostic(read(yaml), line: 3, column: 5, "51 secrets", "at most 50")
    }

    @Test func aScalarWhereAListIsExpected() {
        let file = read(minimalService + "\n    command: python3 app.py")
        expectDiagnostic(file, line: 5, column: 14, "command must be a list of strings, found 'python3 app.py'")
    }
}
