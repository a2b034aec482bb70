import Testing

@testable import FloeFunctions

@Suite("command-line and CSV arguments")
struct ArgumentTests {
    @Test(arguments: [
        ("122880", "varchar", "\"122880\""),
        ("122880", "VARCHAR(16)", "\"122880\""),
        ("null", "varchar", "null"),
        ("\"quoted\"", "string", "\"quoted\""),
        ("say \"hi\"\n", "text", "\"say \\\"hi\\\"\\n\""),
        ("42", "number", "42"),
        ("2.5e3", "float", "2.5e3"),
        ("true", "boolean", "true"),
        ("[1, 2]", "array", "[1, 2]"),
        ("{\"a\": 1}", "object", "{\"a\": 1}"),
        ("hello", "variant", "\"hello\""),
        ("12abc", "number", "\"12abc\""),
    ])
    func argumentsBecomeJSONByTheirDeclaredType(raw: String, type: String, json: String) {
        #expect(FunctionArguments.json(raw, type: type) == json)
    }

    @Test func csvFieldsFollowSnowflakesRules() {
        #expect(FunctionArguments.csvField("", quoted: false, type: "varchar") == "null")
        #expect(FunctionArguments.csvField("", quoted: true, type: "varchar") == "\"\"")
        #expect(FunctionArguments.csvField("null", quoted: false, type: "varchar") == "\"null\"")
        #expect(FunctionArguments.csvField("7", quoted: false, type: "number") == "7")
        #expect(FunctionArguments.csvField("7", quoted: true, type: "varchar") == "\"7\"")
    }

    @Test func csvRecordsAreReadAcrossChunks() {
        let text = "id,text\r\n1,\"a, b\"\n2,\"say \"\"hi\"\"\nthere\"\n\n3,\n4"
        var reader = CSVRecords()
        var records: [[CSVRecords.Field]] = []
        for byte in text.utf8 { records += reader.feed([byte]) }
        if let last = reader.finish() { records.append(last) }
        #expect(
            records == [
                [.init("id"), .init("text")],
                [.init("1"), .init("a, b", quoted: true)],
                [.init("2"), .init("say \"hi\"\nthere", quoted: true)],
                [.init("3"), .init("")],
                [.init("4")],
            ])
    }
}
