import Testing

@testable import FloeSpec

@Suite("Hostile input")
struct HostileInputTests {
    @Test func overOneMebibyte() {
        let big = "# " + String(repeating: "x", count: 2 << 20) + "\n" + minimalService
        let file = read(big)
        expectDiagnostic(file, line: 1, column: 1, "over the 1048576-byte limit")
    }

    @Test func overOneMebibyteOnDisk() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        try directory.write("big.yaml", String(repeating: "#", count: 2 << 20))
        let file = SpecReader.read(path: directory.path + "/big.yaml")
        expectDiagnostic(file, line: 1, column: 1, "2097152 bytes", "limit")
        let missing = SpecReader.read(path: directory.path + "/none.yaml")
        expectDiagnostic(missing, line: 1, column: 1, "cannot read the file")
    }

    @Test func invalidUTF8() {
        var bytes = Array((minimalService + "\n    env: {A: x}").utf8)
        bytes.insert(0xFF, at: bytes.count - 2)
        let file = SpecReader.read(path: "/stage/svc.yaml", bytes: bytes)
        expectDiagnostic(file, line: 5, column: 14, "invalid UTF-8")
    }

    @Test func twoDocuments() {
        let file = read(minimalService + "\n---\n" + minimalService)
        expectDiagnostic(file, line: 5, column: 1, "second YAML document")
    }

    @Test func duplicateKeys() {
        let file = read(minimalService + "\n    image: /other")
        expectDiagnostic(file, line: 5, column: 5, "duplicate key 'image'", "line 4")
    }

    @Test func billionLaughs() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        let file = read(yaml)
        #expect(file.hasErrors)
        #expect(file.diagnostics.contains { $0.message.contains("expands to more than") })
    }

    @Test func deepNesting() {
        let flow = "spec: " + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "\n"
        let file = read(flow)
        expectDiagnostic(file, line: 1, column: 70, "nesting is deeper than 64 levels")
        var block = ""
        for depth in 0..<1_000 { block += String(repeating: " ", count: depth) + "k:\n" }
        let blockFile = read(block)
        #expect(blockFile.hasErrors)
        #expect(blockFile.diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 })
    }

    @Test func nonScalarKeysAndTabs() {
        let key = read("[a]: 1\n")
        expectDiagnostic(key, line: 1, column: 1, "mapping key must be a plain value")
        let tab = read("spec:\n\tcontainers: []\n")
        #expect(tab.hasErrors)
        #expect(tab.diagnostics.contains { $0.message.contains("tabs") }, "\(describe(tab))")
    }
}
