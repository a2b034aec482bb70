import FloeYAML
import Foundation
import Testing

@testable import FloeSpec

@Suite("Templates")
struct TemplateTests {
    let templated = """
        service:
          using: {tag: v2}
        spec:
          containers:
          - name: main
            image: /db/schema/repo/app:{{ tag }}
            env:
              MODE: "{{ mode | default('fast') }}"
              PW: "{{secret.db.password}}"
            secrets:
            - snowflakeSecret: db
              envVarName: DB_PASSWORD
              secretKeyRef: password
        """

    @Test func valuesComeFromUsingAndDefaults() throws {
        let file = read(templated)
        expectClean(file)
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(spec.containers[0].image == "/db/schema/repo/app:v2")
        #expect(spec.containers[0].env.map(\.value) == ["fast", "{{secret.db.password}}"])
    }

    @Test func aMissingValueIsAnErrorAtThePlaceholder() {
        let file = read(templated.replacingOccurrences(of: "using: {tag: v2}", with: "using: {}"))
        #expect(file.object == nil)
        expectDiagnostic(file, line: 6, column: 32, "'{{ tag }}' has no value", "tag: …", "using:", "--template")
    }

    @Test func templatesCanBeAllowed() throws {
        let file = read(
            """
            spec:
              containers:
              - name: {{ name }}
                image: /db/schema/repo/app:{{ tag }}
                readinessProbe:
                  port: {{ port }}
                  path: /
            """, templates: true)
        expectClean(file)
        guard case .service(_, let spec) = try #require(file.object) else { return }
        #expect(SpecTemplate.isUnresolved(spec.containers[0].image))
    }

    @Test func jinjaStatementsAreRejected() {
        let file = read("{% if x %}\n" + minimalService + "\n{% endif %}\n", templates: true)
        expectDiagnostic(file, line: 1, column: 1, "Jinja statements", "not supported")
        let expression = read(minimalService + "\n    args: [\"{{ x | upper }}\"]", templates: true)
        expectDiagnostic(expression, line: 5, column: 13, "'{{ x | upper }}' is not supported")
    }

    @Test func positionsAfterAPlaceholderStayRightInTheFirstPass() {
        // A YAML error after a placeholder on an earlier line is reported where it is.
        let file = read("service:\n  using: {a: 1}\nspec: {{ a }}\n  bad: [\n")
        #expect(file.diagnostics.allSatisfy { $0.line >= 1 && $0.column >= 1 })
        #expect(file.hasErrors)
    }
}

@Suite("Template positions")
struct TemplatePositionTests {
    @Test func columnsAfterASubstitutionPointIntoTheFileAsWritten() {
        let file = read(
            """
            service:
              using: {n: a-much-longer-container-name}
            spec:
              containers:
              - {name: {{ n }}, image: /a/b/c/d, frob: 1}
            """)
        expectDiagnostic(file, line: 5, column: 38, "unknown key 'frob'")
        let short = read(
            """
            service:
              using: {n: X}
            spec:
              containers:
              - {name: "{{ n }}", image: /a/b/c/d}
            """)
        expectDiagnostic(short, line: 5, column: 12, "'X'", "upper-case")
    }

    @Test func columnMapArithmetic() {
        var map = ColumnMap()
        map.add(at: SourcePosition(line: 3, column: 5), original: "{{ a }}", replacement: "xy")
        map.add(at: SourcePosition(line: 3, column: 20), original: "{{ b }}", replacement: "0123456789")
        #expect(map.original(YAMLMark(line: 3, column: 1)).column == 1)
        #expect(map.original(YAMLMark(line: 3, column: 6)).column == 5)
        #expect(map.original(YAMLMark(line: 3, column: 7)).column == 12)
        #expect(map.original(YAMLMark(line: 3, column: 15)).column == 20)
        #expect(map.original(YAMLMark(line: 3, column: 26)).column == 28)
        #expect(map.original(YAMLMark(line: 4, column: 7)).column == 7)
    }
}
