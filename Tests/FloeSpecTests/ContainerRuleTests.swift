import Testing

@testable import FloeSpec

@Suite("Containers")
struct ContainerRuleTests {
    @Test func minimalServiceReadsWithDefaults() throws {
        let file = read(minimalService)
        expectClean(file)
        guard case .service(let header, let spec) = try #require(file.object) else {
            Issue.record("not a service")
            return
        }
        #expect(file.name?.value == "SVC")
        #expect(header.minInstances == 1 && header.maxInstances == 1 && header.minReadyInstances == 1)
        #expect(header.autoResume && header.computePool == nil)
        #expect(spec.containers.map(\.name) == ["main"])
        #expect(spec.containers[0].mountSessionToken)
    }

    @Test func unknownKeySuggestsTheClosestKey() {
        let file = read(
            """
            spec:
              containers:
              - name: main
                image: /db/schema/repo/app:latest
                readinesProbe:
                  port: 8080
                  path: /
            """)
        #expect(file.object == nil)
        #expect(
            file.diagnostics.map(\.description) == [
                "/stage/svc.yaml:5:5: error: unknown key 'readinesProbe' in spec.containers[0]; did you mean 'readinessProbe'?"
            ])
    }

    @Test func unknownKeyWithoutNeighbourListsTheKeys() {
        let file = read(minimalService + "\n    frobnicate: 1")
        expectDiagnostic(file, line: 5, column: 5, "unknown key 'frobnicate'", "expected one of: name, image")
    }

    @Test func wrongTypeSaysWhatWasExpectedAndFound() {
        let file = read(minimalService + "\n    env:\n    - A=1")
        expectDiagnostic(
            file, line: 6, column: 5, "spec.containers[0].env must be a mapping of names to values, found a list")
    }

    @Test func containerNameFormat() {
        let file = read(
            """
            spec:
              containers:
              - name: Main_1
                image: /db/schema/repo/app:latest
            """)
        expectDiagnostic(file, line: 3, column: 11, "'Main_1'", "upper-case")
        let dash = read("spec:\n  containers:\n  - name: main-\n    image: x")
        expectDiagnostic(dash, line: 3, column: 11, "must end with a letter or digit")
        let digit = read("spec:\n  containers:\n  - name: 1main\n    image: x")
        expectDiagnostic(digit, line: 3, column: 11, "must start with a letter")
        let long = read("spec:\n  containers:\n  - name: \(String(repeating: "a", count: 64))\n    image: x")
        expectDiagnostic(long, line: 3, column: 11, "64 characters", "63")
    }

    @Test func containerNamesAreUnique() {
        let file = read(
            """
            spec:
              containers:
              - name: main
                image: /a/b/c/d
              - name: main
                image: /a/b/c/e
            """)
        expectDiagnostic(file, line: 5, column: 5, "container name 'main' is used twice", "line 3")
    }

    @Test func nameAndImageAreRequired() {
        let file = read("spec:\n  containers:\n  - name: main\n")
        expectDiagnostic(file, line: 3, column: 5, "spec.containers[0] needs 'image'")
        let none = read("spec:\n  containers: []\n")
        expectDiagnostic(none, line: 2, column: 3, "at least one container")
    }

    @Test func atMostTwentyContainers() {
        var yaml = "spec:\n  containers:\n"
        for index in 0..<21 { yaml += "  - name: c\(index)\n    image: /a/b/c/d\n" }
        let file = read(yaml)
        expectDiagnostic(file, line: 43, column: 5, "21 containers", "at most 20")
    }

    @Test func probesGetSPCSDefaults() throws {
        let file = read(
            minimalService + """

                    readinessProbe:
                      port: 8080
                      path: /healthz
                    livenessProbe:
                      port: 8080
                      path: /live
                      periodSeconds: 2
                """)
        expectClean(file)
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(
            spec.containers[0].readinessProbe
                == Probe(port: 8080, path: "/healthz", periodSeconds: 5, failureThreshold: 3))
        #expect(
            spec.containers[0].livenessProbe == Probe(port: 8080, path: "/live", periodSeconds: 2, failureThreshold: 3))
    }

    @Test func probeNeedsPortAndPath() {
        let file = read(minimalService + "\n    readinessProbe:\n      path: /x")
        expectDiagnostic(file, line: 6, column: 7, "readinessProbe needs 'port'")
        let badPort = read(minimalService + "\n    readinessProbe:\n      port: 70000\n      path: /x")
        expectDiagnostic(badPort, line: 6, column: 13, "port must be between 1 and 65535", "70000")
    }

    @Test func quantitiesAreParsed() throws {
        let file = read(
            minimalService + """

                    resources:
                      requests:
                        cpu: 500m
                        memory: 512Mi
                      limits:
                        cpu: 2
                        memory: 6Gi
                """)
        expectClean(file)
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.containers[0].resources.requests == ResourceAmounts(milliCPU: 500, memoryBytes: 512 << 20))
        #expect(spec.containers[0].resources.limits == ResourceAmounts(milliCPU: 2000, memoryBytes: 6 << 30))
        #expect(Quantity.milliCPU("0.5") == 500)
        #expect(Quantity.milliCPU("1000m") == 1000)
        #expect(Quantity.milliCPU("0.35") == 350)
        #expect(Quantity.milliCPU("lots") == nil)
        #expect(Quantity.bytes("1G") == 1_000_000_000)
        #expect(Quantity.bytes("100k") == 100_000)
        #expect(Quantity.bytes("2Ki") == 2048)
        #expect(Quantity.bytes("1Ti") == 1 << 40)
        #expect(Quantity.bytes("4096") == 4096)
        #expect(Quantity.bytes("0.5Gi") == 512 << 20)
        #expect(Quantity.bytes("6GB") == nil)
        #expect(Quantity.bytes("0.123456789Ti") == Int64(0.123456789 * Double(1 << 40)))
        #expect(Quantity.bytes("999999999999999Ti") == nil)
        #expect(Quantity.bytes("2048Ti") == nil)
        #expect(Quantity.milliCPU("99999999999999999999") == nil)
    }

    @Test func badQuantitiesSayWhatIsAccepted() {
        let file = read(minimalService + "\n    resources:\n      requests:\n        cpu: lots\n        memory: 6GB")
        expectDiagnostic(file, line: 7, column: 14, "cpu 'lots' is not a cpu amount", "500m")
        expectDiagnostic(file, line: 8, column: 17, "memory '6GB' is not a memory amount", "Gi")
    }

    @Test func gpuRequestMustEqualLimit() {
        let file = read(
            minimalService + """

                    resources:
                      requests:
                        nvidia.com/gpu: 1
                      limits:
                        nvidia.com/gpu: 2
                """)
        expectDiagnostic(file, line: 7, column: 25, "GPU request to equal the limit", "1", "2")
    }

    @Test func volumeMountsNameDeclaredVolumes() {
        let file = read(
            """
            spec:
              containers:
              - name: main
                image: /a/b/c/d
                volumeMounts:
                - name: data
                  mountPath: /data
              volumes:
              - name: cache
                source: local
            """)
        expectDiagnostic(file, line: 6, column: 13, "'data' is not a volume declared in spec.volumes", "cache")
        expectDiagnostic(file, .warning, line: 9, column: 5, "volume 'cache' is declared but no container mounts it")
    }

    @Test func secretsNeedTheirParts() {
        let file = read(
            minimalService + """

                    secrets:
                    - snowflakeSecret: creds
                      secretKeyRef: password
                    - snowflakeSecret: other
                      envVarName: X
                      secretKeyRef: token
                """)
        expectDiagnostic(file, line: 7, column: 21, "secretKeyRef goes with envVarName")
        expectDiagnostic(file, line: 10, column: 21, "must be username, password or secret_string", "token")
    }

    @Test func secretKeyRefInUpperCaseIsAcceptedWithAWarning() throws {
        let file = read(
            minimalService + """

                    secrets:
                    - snowflakeSecret:
                        objectName: creds
                      envVarName: PASSWORD
                      secretKeyRef: PASSWORD
                """)
        expectClean(file)
        expectDiagnostic(file, .warning, line: 9, column: 21, "secretKeyRef 'PASSWORD' is upper-case")
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.containers[0].secrets[0].secretKeyRef == "password")
        #expect(spec.containers[0].secrets[0].objectName == "creds")
    }

    @Test func secretReferenceToAnUndeclaredSecretWarns() {
        let file = read(
            minimalService + """

                    env:
                      PW: "{{secret.db_pwd.secret_string}}"
                """)
        expectClean(file)
        expectDiagnostic(file, .warning, line: 6, column: 11, "{{secret.db_pwd", "does not declare that secret")
    }

    @Test func yaml11ScalarsStayAsWritten() throws {
        let file = read(
            """
            spec:
              containers:
              - name: main
                image: /a/b/c/d
                command: [python3, 8080, -u]
                env:
                  FLAG: No
                  ON_OFF: YES
                  SIZES: 16,8
                  EMPTY:
                  NUM: 5
                mountSessionToken: yes
            """)
        expectClean(file)
        expectDiagnostic(file, .warning, line: 12, column: 24, "YAML 1.1 boolean", "true")
        guard case .service(_, let spec) = try #require(file.object) else { return }
        let env = spec.containers[0].env
        #expect(env.map(\.value) == ["No", "YES", "16,8", "", "5"])
        #expect(spec.containers[0].command == ["python3", "8080", "-u"])
        #expect(spec.containers[0].mountSessionToken)
    }

    @Test func aQuotedNumberIsAcceptedWithAWarning() {
        let file = read(minimalService + "\n    readinessProbe:\n      port: \"8080\"\n      path: /")
        expectClean(file)
        expectDiagnostic(file, .warning, line: 6, column: 13, "quoted number")
        let notANumber = read(minimalService + "\n    readinessProbe:\n      port: http\n      path: /")
        expectDiagnostic(notANumber, line: 6, column: 13, "port must be an integer, found 'http'")
    }
}
