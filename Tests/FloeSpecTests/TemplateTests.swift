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
