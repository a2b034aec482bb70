import Foundation
import NIOCore
import Testing

@testable import FloeFunctions

@Suite("function input and JSON")
struct InputTests {
    static func chunks(_ text: String, size: Int) -> AsyncStream<ByteBuffer> {
        let bytes = Array(text.utf8)
        return AsyncStream { continuation in
            var i = 0
            while i < bytes.count {
                continuation.yield(ByteBuffer(bytes: bytes[i..<min(i + size, bytes.count)]))
                i += size
            }
            continuation.finish()
        }
    }

    static func read(_ text: String, size: Int = 3) async -> ([String], FunctionCallError?) {
        var rows: [String] = []
        do {
            for try await row in JSONLineRows(chunks(text, size: size)) {
                rows.append("\(row.count):" + String(decoding: row.arguments, as: UTF8.self))
            }
        } catch let error as FunctionCallError {
            return (rows, error)
        } catch {
            return (rows, .cancelled)
        }
        return (rows, nil)
    }

    @Test func linesSplitAcrossChunksBecomeRows() async {
        let (rows, error) = await Self.read("[\"a\", 1]\n\n  [ ]\n[{\"k\": [1,2]}, null]\n[true]")
        #expect(error == nil)
        #expect(rows == ["2:\"a\", 1", "0:", "2:{\"k\": [1,2]}, null", "1:true"])
    }

    @Test(arguments: [
        ("[1]\n{\"a\": 1}\n", 2), ("[1]\n[1,]\n", 2), ("[\"unterminated]\n", 1), ("[1] x\n", 1), ("42\n", 1),
    ])
    func badLinesAreErrorsWithTheirLineNumber(text: String, line: Int) async {
        let (_, error) = await Self.read(text)
        guard case .badInput(let found, _) = error else {
            Issue.record("expected bad input, got \(String(describing: error))")
            return
        }
        #expect(found == line)
    }

    @Test func aLineLongerThanTheLimitIsAnError() async {
        var iterator = JSONLineRows(
            Self.chunks("[\"" + String(repeating: "x", count: 100) + "\"]\n", size: 10), maxLineBytes: 50
        )
        .makeAsyncIterator()
        await #expect(throws: FunctionCallError.self) { _ = try await iterator.next() }
    }

    @Test(arguments: [
        "0", "-0.5e+10", "\"a\\u00e9\\n\"", "[]", "{}", "[1, [2, {\"a\": null}], true, false]", " {\"a\" : [ ] } ",
    ])
    func validJSONScans(text: String) throws {
        let range = try JSONScanner(Array(text.utf8)).single()
        #expect(String(decoding: Array(text.utf8)[range], as: UTF8.self) == text.trimmingCharacters(in: .whitespaces))
    }

    @Test(arguments: ["01", "1.", "-", "\"\\x\"", "[1 2]", "{\"a\" 1}", "tru", "[", "\"\u{01}\"", "1 1", "{1: 2}"])
    func invalidJSONIsRefused(text: String) {
        #expect(throws: JSONScanner.Failure.self) { try JSONScanner(Array(text.utf8)).single() }
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(throws: JSONScanner.Failure.self) { try JSONScanner(Array(text.utf8)).single() }
    }

    @Test func batchBodiesAreTheSPCSShape() throws {
        var builder = FunctionBatchBuilder()
        builder.add(try FunctionRow(jsonArray: Array("[\"a\", 1]".utf8), line: 1))
        builder.add(try FunctionRow(jsonArray: Array("[]".utf8), line: 2))
        let body = builder.finish()
        #expect(String(buffer: body) == "{\"data\":[[0,\"a\", 1],[1]]}")
        #expect(builder.count == 0)
    }

    @Test func backoffDoublesUpToItsCap() {
        let settings = FunctionCallSettings(
            queryID: "q", retryBackoff: .milliseconds(100), maxRetryBackoff: .seconds(1))
        #expect(settings.backoff(retry: 1) == .milliseconds(100))
        #expect(settings.backoff(retry: 2) == .milliseconds(200))
        #expect(settings.backoff(retry: 4) == .milliseconds(800))
        #expect(settings.backoff(retry: 5) == .seconds(1))
        #expect(FunctionCallSettings.contextHeaderName("CURRENT_USER") == "sf-context-current-user")
    }
}
