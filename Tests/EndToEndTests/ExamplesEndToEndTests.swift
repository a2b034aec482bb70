import Foundation
import Testing

// Nested in the serialized end-to-end suite: one floed at a time.
extension ServiceLifecycleTests {
    /// The seed's examples under the real floed as root, their instances running as `nobody`: the
    /// filter service answers its health check and its service function, the news job writes its table.
    @Suite("the examples under floed")
    struct ExamplesEndToEndTests {
        static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples").path

        /// Copies an example's directory to `images/NAME` (owned by nobody, so that it may write there)
        /// and its stage files into the stage, pointing at the copy and using `port` for 8000.
        static func install(_ example: String, files: [String], floe: FloeHarness, port: Int) throws {
            let copy = "\(floe.root)/images/\(example)"
            try FileManager.default.createDirectory(
                atPath: "\(floe.root)/images", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "\(examples)/\(example)", toPath: copy)
            for name in (try FileManager.default.subpathsOfDirectory(atPath: copy)) + [""] {
                chown("\(copy)/\(name)", 65534, 65534)
            }
            for file in files {
                var text = try String(contentsOfFile: "\(examples)/\(example)/stage/\(file)", encoding: .utf8)
                text = text.replacingOccurrences(of: "directory: ..\n", with: "directory: \(copy)\n")
                text = text.replacingOccurrences(of: "8000", with: String(port))
                try floe.drop(file, text)
            }
        }

        @Test func theFilterServiceAnswersAndTheNewsJobWritesItsTable() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            // The host network: the test reaches the filter service at 127.0.0.1.
            try
                "rescanSeconds: 2\nnetwork: host\ndefaultPool: {maxNodes: 8}\ndefaultUser: nobody\nimageRoots: [\(floe.root)/images]\n"
                .write(
                    toFile: floe.config, atomically: true, encoding: .utf8)
            try await floe.start(environment: SecurityEndToEndTests.systemPath)
            let port = ServiceLifecycleTests.freePort()
            try Self.install(
                "filter_service",
                files: [
                    "snowpark_cs_compute_pool.yaml", "my_filter_service_image.yaml", "filter_service.yaml",
                    "filter_doc_udf.yaml",
                ], floe: floe, port: port)
            let wait = try await floe.ctl("wait", "filter_service", "--for", "READY", "--timeout", "90")
            #expect(wait.code == 0, "\(wait)\n\(floe.log().suffix(3000))")
            let health = try await floe.run(
                "/usr/bin/curl", ["-s", "-w", "\\n%{http_code}", "http://127.0.0.1:\(port)/healthcheck"])
            #expect(health.stdout.hasSuffix("\n200"), "\(health)")
            let filter = try await floe.run(
                "/usr/bin/curl",
                [
                    "-s", "-X", "POST", "-H", "Content-Type: application/json", "--data",
                    "{\"data\": [[0, \"122880\"], [1, \"no-such-id\"]]}", "http://127.0.0.1:\(port)/filter",
                ])
            let answer = try JSONSerialization.jsonObject(with: Data(filter.stdout.utf8)) as? [String: Any]
            let rows = try #require(answer?["data"] as? [[Any]], "\(filter)")
            #expect(rows.count == 2)
            #expect((rows.first?.last as? String)?.contains("122880") == true, "\(filter.stdout)")
            #expect(rows.last?.last as? String == "[]", "\(filter.stdout)")

            try Self.install(
                "news_job", files: ["my_news_job_image.yaml", "news_job.yaml"], floe: floe, port: port)
            let done = try await floe.ctl("wait", "news_job", "--for", "DONE", "--timeout", "120")
            let jobLog = try await floe.ctl("logs", "news_job").stdout
            #expect(done.code == 0, "\(done)\n\(jobLog)")
            let database = "\(floe.root)/images/news_job/news.db"
            let count = try await floe.run(
                "/usr/bin/python3",
                [
                    "-c",
                    "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
                        + "'SELECT COUNT(*) FROM NEWS_DATE_FEATURES').fetchone()[0])",
                    database,
                ])
            #expect((Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0, "\(count)")
            var info = stat()
            stat(database, &info)
            #expect(info.st_uid == 65534, "the job ran as nobody, so nobody owns what it wrote")
            await floe.tearDown()
        }
    }
}
