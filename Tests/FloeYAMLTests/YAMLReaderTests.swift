import Testing

@testable import FloeYAML

@Suite("YAMLReader")
struct YAMLReaderTests {
    @Test func marksAreOneBased() throws {
        let root = try #require(try YAMLReader.parse("a: 1\nb:\n  - x\n  - 'y'\n"))
        let pairs = try #require(root.mapping)
        #expect(root.mark == YAMLMark(line: 1, column: 1))
        #expect(pairs[0].key.mark == YAMLMark(line: 1, column: 1))
        #expect(pairs[0].value.mark == YAMLMark(line: 1, column: 4))
        let items = try #require(pairs[1].value.sequence)
        #expect(items[1].mark == YAMLMark(line: 4, column: 5))
        #expect(items[1].scalarStyle == .singleQuoted && items[0].scalarStyle == .plain)
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let root = try #require(try YAMLReader.parse("é: ü\nk: v\n"))
        #expect(root.mapping?[0].value.mark == YAMLMark(line: 1, column: 4))
    }

    @Test func scalarsStayAsWritten() throws {
        let root = try #require(try YAMLReader.parse("a: No\nb: 16,8\nc:\nd: 010\n"))
        #expect(root["a"]?.scalar == "No" && root["b"]?.scalar == "16,8" && root["d"]?.scalar == "010")
        #expect(root["c"]?.isNull == true)
    }

    @Test func emptyDocumentIsNil() throws {
        #expect(try YAMLReader.parse("# only a comment\n") == nil)
        #expect(try YAMLReader.parse("") == nil)
    }

    @Test func errorsArePositioned() {
        func error(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
            do {
                _ = try YAMLReader.parse(text, limits: limits)
                return nil
            } catch {
                return error
            }
        }
        #expect(error("a: 1\na: 2\n")?.mark == YAMLMark(line: 2, column: 1))
        #expect(error("a: 1\n---\nb: 2\n")?.message.contains("second YAML document") == true)
        #expect(error("a: *nothing\n")?.message.contains("names no anchor") == true)
        #expect(error("a: [1, 2\n")?.message.contains("YAML syntax error") == true)
        #expect(error("a: 1", limits: YAMLLimits(maxBytes: 3))?.message.contains("over the 3-byte limit") == true)
        #expect(error("a: [[[1]]]", limits: YAMLLimits(maxDepth: 3))?.mark == YAMLMark(line: 1, column: 6))
    }

    @Test func invalidUTF8IsPositioned() {
        var bytes = Array("a: b\nc: d".utf8)
        bytes[8] = 0xC3
        do {
            _ = try YAMLReader.parse(bytes)
            Issue.record("accepted invalid UTF-8")
        } catch {
            #expect(error.mark == YAMLMark(line: 2, column: 4))
        }
    }

    @Test func aliasBombIsBounded() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...12 {
            text +=
                "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
                + "]\n"
        }
        #expect(throws: YAMLError.self) { try YAMLReader.parse(text) }
    }

    @Test func smallAliasesAreExpanded() throws {
        let root = try #require(try YAMLReader.parse("base: &b {x: 1}\ncopy: *b\n"))
        #expect(root["copy"]?["x"]?.scalar == "1")
    }

    /// libyaml's parser keeps its own state stack, so 10,000 levels must give the depth error, not
    /// a stack overflow.
    @Test func deepNestingDoesNotOverflowTheStack() {
        for open in ["[", "{a: "] {
            let text = String(repeating: open, count: 10_000)
            do {
                _ = try YAMLReader.parse(text)
                Issue.record("accepted 10,000 levels")
            } catch {
                #expect(error.message.contains("deeper than 64") || error.message.contains("syntax error"), "\(error)")
            }
        }
        var block = ""
        for depth in 0..<1_000 { block += String(repeating: " ", count: depth) + "- \n" }
        #expect(throws: YAMLError.self) { try YAMLReader.parse(block) }
    }
}
