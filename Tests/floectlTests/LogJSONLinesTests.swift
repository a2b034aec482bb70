import Foundation
import Testing

@testable import floectl

/// `floectl logs --json`: log text as one JSON object per line.
@Suite struct LogJSONLinesTests {
    func decoded(_ text: String) throws -> [String] {
        try text.split(separator: "\n").map {
            try JSONDecoder().decode([String: String].self, from: Data($0.utf8))["line"] ?? "<no line key>"
        }
    }

    @Test func everyLineIsAnObject() throws {
        var lines = LogJSONLines()
        let text = lines.render(Array("one\n\"two\" \\ /path\n\nlast\n".utf8)) + lines.finish()
        #expect(try decoded(text) == ["one", "\"two\" \\ /path", "", "last"])
        #expect(text.hasPrefix(#"{"line":"one"}"#))
    }

    @Test func aLineSplitAcrossChunksWaitsForItsEnd() throws {
        var lines = LogJSONLines()
        #expect(lines.render(Array("tick 1\ntic".utf8)) == "{\"line\":\"tick 1\"}\n")
        #expect(lines.render(Array("k".utf8)) == "")
        #expect(try decoded(lines.render(Array(" 2\ntick 3\n".utf8))) == ["tick 2", "tick 3"])
        #expect(lines.finish() == "")
    }

    @Test func aLastLineWithoutNewlineComesAtTheEnd() throws {
        var lines = LogJSONLines()
        #expect(lines.render(Array("partial".utf8)) == "")
        #expect(try decoded(lines.finish()) == ["partial"])
        #expect(lines.finish() == "")
    }
}
