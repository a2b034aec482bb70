import Testing

@testable import FloeSpec

@Suite("Cross-file rules")
struct StageCheckerTests {
    let image = read("image:\n  reference: /db/schema/repo/app\n  directory: /srv/app\n", name: "app_image.yaml")
    let pool = read("computePool:\n  instanceFamily: CPU_X64_XS\n", name: "small_pool.yaml")

    func check(_ files: StageFile...) -> [StageFile] {
        StageReader.checked(files)
    }

    @Test func aServiceWithItsImageAndTheDefaultPoolIsFine() {
        let files = check(image, read(minimalService))
        #expect(files.allSatisfy { !$0.hasErrors }, "\(files.map(describe))")
    }

    @Test func poolMustExist() {
        let files = check(image, read("service:\n  computePool: big_pool\n" + minimalService))
        expectDiagnostic(files[1], line: 2, column: 16, "compute pool BIG_POOL is not defined", "big_pool.yaml")
        #expect(files[1].object != nil && files[1].hasErrors)
    }

    @Test func instanceMustFitOneNode() {
        let service = read(
            "service:\n  computePool: small_pool\n" + minimalService
                + "\n    resources:\n      requests:\n        cpu: 8\n        memory: 1Gi")
        let files = check(image, pool, service)
        expectDiagnostic(
            files[2], line: 2, column: 16, "requests 8 CPU but a CPU_X64_XS node has 1 vCPU (7 over)",
            "use a larger instance family or lower the request")
        let memory = read(
            "job:\n  computePool: small_pool\n" + minimalService
                + "\n    resources:\n      limits:\n        memory: 8Gi")
        expectDiagnostic(check(image, pool, memory)[2], line: 2, column: 16, "8 GiB of memory", "6 GiB (2 GiB over)")
    }

    @Test func tooBigForAGuessedDefaultPoolIsAWarning() {
        let gpu = read(
            minimalService + "\n    resources:\n      requests: {nvidia.com/gpu: 1}\n      limits: {nvidia.com/gpu: 1}")
        // floed knows its default pool: an error.
        expectDiagnostic(check(image, gpu)[1], line: 2, column: 3, "requests 1 GPU but a CPU_X64_S node has 0")
        // floectl validate guesses it: a warning that says so.
        let guessed = StageReader.checked([image, gpu], defaultPoolIsKnown: false)
        expectDiagnostic(guessed[1], .warning, line: 2, column: 3, "requests 1 GPU", "floed's default pool may differ")
        #expect(!guessed[1].hasErrors)
    }

    @Test func defaultRequestsAddUp() {
        // Three containers with the default 0.5 cpu request need 1.5 vCPU: over one XS node.
        var yaml = "service:\n  computePool: small_pool\nspec:\n  containers:\n"
        for index in 0..<3 { yaml += "  - name: c\(index)\n    image: /db/schema/repo/app\n" }
        expectDiagnostic(check(image, pool, read(yaml))[2], line: 2, column: 16, "requests 1.5 CPU", "(0.5 over)")
    }

    @Test func functionsNameAServiceAndAnHTTPEndpoint() {
        let service = read(
            minimalService + "\n  endpoints:\n  - {name: web, port: 8080}\n  - {name: db, port: 5432, protocol: TCP}",
            name: "filter_service.yaml")
        func function(_ service: String, _ endpoint: String) -> StageFile {
            read(
                "function:\n  service: \(service)\n  endpoint: \(endpoint)\n  path: /f\n  returns: varchar\n",
                name: "f.yaml")
        }
        #expect(!check(image, service, function("filter_service", "web"))[2].hasErrors)
        expectDiagnostic(check(image, service, function("nothing", "web"))[2], line: 2, column: 12, "service NOTHING")
        expectDiagnostic(
            check(image, service, function("filter_service", "api"))[2], line: 3, column: 13, "endpoint 'api'",
            "declares web, db")
        expectDiagnostic(
            check(image, service, function("filter_service", "db"))[2], line: 3, column: 13, "TCP",
            "need an HTTP endpoint")
    }

    @Test func imagesMustBeProvidedOrHaveACommand() {
        let service = read(minimalService)
        // A warning, not an error: the instance waits PENDING ("Failed to pull image") until the image comes.
        expectDiagnostic(
            check(service)[0], .warning, line: 4, column: 12, "image '/db/schema/repo/app:latest'", "no image: file",
            "Failed to pull image", "command")
        #expect(!check(service)[0].hasErrors)
        let tagged = read("spec:\n  containers:\n  - name: main\n    image: /db/schema/repo/app:v2\n")
        expectDiagnostic(check(image, tagged)[1], .warning, line: 4, column: 12, "'/db/schema/repo/app:v2'")
        let withCommand = read(
            "spec:\n  containers:\n  - name: main\n    image: busybox\n    command: [sleep, '10']\n")
        #expect(!check(withCommand)[0].hasErrors)
    }

    @Test func twoFilesNamingTheSameObject() {
        let files = check(read(minimalService, name: "a.yaml"), read(minimalService, name: "A.yml"), image)
        expectDiagnostic(files[1], line: 1, column: 1, "object A is already defined")
    }

    @Test func stageReaderReadsADirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try directory.write("echo.yaml", minimalService)
        try directory.write("image.yaml", "image:\n  reference: /db/schema/repo/app:latest\n  directory: .\n")
        try directory.write(".hidden.yaml", "garbage: [")
        try directory.write("echo.yaml~", "garbage: [")
        try directory.write("notes.txt", "hello")
        let files = StageReader.read(directory: directory.path)
        #expect(files.map { $0.name?.value } == ["ECHO", "IMAGE"])
        #expect(files.allSatisfy { !$0.hasErrors }, "\(files.map(describe))")
        guard case .image(let image) = files[1].object else {
            Issue.record("not an image")
            return
        }
        #expect(image.directory.hasSuffix(String(directory.path.split(separator: "/").last!)))
    }

    @Test func stageFileFilter() {
        for name in ["a.yaml", "b.yml", "my_service.yaml"] {
            #expect(StageFileFilter.isStageFile(name), "\(name)")
        }
        for name in [
            ".a.yaml", "a.yaml~", "a.yaml.swp", ".a.yaml.swx", "a.tmp", "4913", "#a.yaml#", "a.yaml.backup", "a.json",
            ".yaml",
        ] {
            #expect(!StageFileFilter.isStageFile(name), "\(name)")
        }
    }
}

@Suite("Cross-file rules with broken files")
struct BrokenFileTests {
    @Test func aPoolWhoseFileHasErrorsIsNamedAsSuch() {
        let image = read("image:\n  reference: /db/schema/repo/app\n  directory: /srv/app\n", name: "app_image.yaml")
        let pool = read("computePool:\n  instanceFamily: NOPE\n", name: "small_pool.yaml")
        let service = read("service:\n  computePool: small_pool\n" + minimalService)
        let files = StageReader.checked([image, pool, service])
        expectDiagnostic(files[2], line: 2, column: 16, "compute pool SMALL_POOL has errors in its file")
    }
}
