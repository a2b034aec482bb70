import FloeSpec
import Foundation
import Testing

@testable import floectl

/// What commands that change something print with `--json`.
@Suite struct OutcomeTests {
    func encoded(_ value: some Encodable) throws -> [String: Any] {
        let data = try JSONEncoder().encode(value)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func fieldsACommandHasNothingForAreLeftOut() throws {
        let object = try encoded(Outcome(action: "suspend", name: "ECHO", status: "SUSPENDED"))
        #expect(Set(object.keys) == ["ok", "action", "name", "status"])
        #expect(object["ok"] as? Bool == true)
        #expect(object["status"] as? String == "SUSPENDED")
    }

    @Test func applyListsFilesAndDiagnostics() throws {
        let diagnostic = Diagnostic(.warning, file: "/tmp/a.yaml", line: 2, column: 3, message: "odd")
        let outcome = Outcome(
            action: "apply", applied: [.init(source: "a.yaml", path: "/stage/a.yaml")], diagnostics: [diagnostic])
        let object = try encoded(outcome)
        let applied = try #require(object["applied"] as? [[String: Any]])
        #expect(applied.first?["path"] as? String == "/stage/a.yaml")
        #expect((object["diagnostics"] as? [Any])?.count == 1)
    }

    @Test func aJobThatDidNotWaitSaysSo() throws {
        let object = try encoded(JobOutcome(name: "HELLO", file: "/stage/hello.yaml"))
        #expect(object["action"] as? String == "execute-job")
        #expect(object["finished"] as? Bool == false)
        #expect(object["containers"] == nil)
    }
}
