import Foundation
import Testing

@testable import FloeSpec

@Suite("Spec digest")
struct DigestTests {
    let base = """
        service:
          minInstances: 1
        spec:
          containers:
          - name: main
            image: /db/schema/repo/app:latest
            command: [python3, app.py]
            env:
              A: "1"
              B: two
            readinessProbe:
              port: 8080
              path: /ready
            resources:
              requests:
                cpu: 500m
          endpoints:
          - name: web
            port: 8080
        """

    func digest(_ yaml: String) -> String? {
        let file = read(yaml)
        #expect(!file.hasErrors, "\(describe(file))")
        return file.digest
    }

    @Test func sha256Vectors() {
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func stableUnderFormatting() throws {
        let original = try #require(digest(base))
        #expect(original.count == 64)
        let variants = [
            "# a comment\n" + base + "  # trailing comment\n",
            base.replacingOccurrences("  A: \"1\"\n      B: two", "  B: 'two'\n      A: '1'"),
            base.replacingOccurrences("command: [python3, app.py]", "command:\n      - python3\n      - \"app.py\""),
            base.replacingOccurrences("minInstances: 1", "minInstances: 3\n  maxInstances: 5\n  minReadyInstances: 2"),
            base.replacingOccurrences("cpu: 500m", "cpu: 0.5"),
            base.replacingOccurrences(
                "    port: 8080\n      path: /ready", "    path: /ready\n      port: 8080\n      periodSeconds: 5"),
            base.replacingOccurrences(
                "endpoints:\n  - name: web\n    port: 8080", "endpoint:\n  - {port: 8080, name: web, protocol: HTTP}"),
        ]
        for variant in variants {
            #expect(digest(variant) == original, "\(variant)")
        }
    }

    @Test func sensitiveToWhatRuns() throws {
        let original = try #require(digest(base))
        let changes = [
            base.replacingOccurrences("command: [python3, app.py]", "command: [python3, other.py]"),
            base.replacingOccurrences("B: two", "B: three"),
            base.replacingOccurrences("app:latest", "app:v2"),
            base.replacingOccurrences("path: /ready", "path: /healthz"),
            base.replacingOccurrences("cpu: 500m", "cpu: 1"),
            base.replacingOccurrences("minInstances: 1", "minInstances: 1\n  computePool: other_pool"),
            base.replacingOccurrences("minInstances: 1", "minInstances: 1\n  runAs: nobody"),
            base.replacingOccurrences("    port: 8080\n", "    port: 8081\n"),
        ]
        for change in changes {
            let changed = digest(change)
            #expect(changed != nil && changed != original, "\(change)")
        }
    }

    @Test func kindsDoNotCollide() {
        let job = read(base.replacingOccurrences("service:\n  minInstances: 1", "job:\n  replicas: 1"))
        #expect(job.digest != nil && job.digest != digest(base))
    }
}

extension String {
    /// `self` with the first occurrence of `target` replaced (the test fails loudly if it is missing).
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        guard let range = range(of: target) else {
            Issue.record("'\(target)' not found")
            return self
        }
        return replacingCharacters(in: range, with: replacement)
    }
}
