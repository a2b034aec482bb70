import AsyncHTTPClient
import FloeSpec
import Foundation
import NIOCore
import Testing

@testable import FloeFunctions

/// The batch protocol against a real local HTTP server.
@Suite("service-function calls", .serialized)
struct FunctionCallerTests {
    /// Rows `["r0"]`, `["r1"]`, ...
    static func rows(_ count: Int) -> AsyncStream<FunctionRow> {
        AsyncStream { continuation in
            for i in 0..<count { continuation.yield(FunctionRow(values: ["\"r\(i)\""])) }
            continuation.finish()
        }
    }

    static func expectedLines(_ count: Int) -> [String] { (0..<count).map { "\"r\($0)\"" } }

    struct Result {
        var lines: [String] = []
        var error: FunctionCallError?
    }

    /// Calls `path` on the server with `count` rows.
    static func call(
        _ server: FunctionServer?, path: String, count: Int, maxBatchRows: Int? = nil, retries: Int = 3,
        onFailure: FunctionSpec.OnBatchFailure = .abort, timeout: Int = 30, contextHeaders: [String] = [],
        backends extra: [FunctionBackend] = [], concurrency: Int? = nil
    ) async -> Result {
        var spec = FunctionSpec(
            service: ObjectName("svc")!, endpoint: "api", path: path,
            arguments: [.init(name: "x", type: "varchar")], returns: "varchar")
        spec.maxBatchRows = maxBatchRows
        spec.maxBatchRetries = retries
        spec.onBatchFailure = onFailure
        spec.batchTimeoutSecs = timeout
        spec.contextHeaders = contextHeaders
        var list = extra
        if let server { list.append(FunctionBackend(id: "0", host: "127.0.0.1", port: server.port)) }
        let backends = list
        let client = FunctionCaller.makeHTTPClient()
        let settings = FunctionCallSettings(
            queryID: "q-1", concurrency: concurrency, retryBackoff: .milliseconds(10),
            backendWait: .milliseconds(200), context: ["CURRENT_USER": "alice"])
        let caller = FunctionCaller(
            name: "my_udf", function: spec, settings: settings, client: client, backends: { _ in backends })
        var result = Result()
        var output = ByteBuffer()
        do throws(FunctionCallError) {
            let n = try await caller.call(rows(count)) { output.writeImmutableBuffer($0) }
            #expect(n == count)
        } catch {
            result.error = error
        }
        try? await client.shutdown()
        result.lines = String(buffer: output).split(separator: "\n").map(String.init)
        return result
    }

    @Test func batchesOfMaxBatchRowsComeBackInOrderWithSPCSHeaders() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(
            server, path: "/jitter", count: 2500, maxBatchRows: 1000, contextHeaders: ["current_user"])
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(2500))
        let posts = server.requests().filter { $0.method == "POST" }
        #expect(posts.map(\.rows.count).sorted() == [500, 1000, 1000])
        for post in posts {
            #expect(post.headers["sf-external-function-format"] == "json")
            #expect(post.headers["sf-external-function-format-version"] == "1.0")
            #expect(post.headers["sf-external-function-current-query-id"] == "q-1")
            #expect(post.headers["sf-external-function-name"] == "my_udf")
            #expect(post.headers["sf-context-current-user"] == "alice")
            // Row indices count within the batch, from 0.
            #expect(post.rows.map { $0[0] as? Int } == Array(0..<post.rows.count))
        }
        let ids = Set(posts.compactMap { $0.headers["sf-external-function-query-batch-id"] })
        #expect(ids == ["q-1-0", "q-1-1", "q-1-2"])
        let first = try #require(posts.first { $0.headers["sf-external-function-query-batch-id"] == "q-1-0" })
        #expect(first.body.hasPrefix("{\"data\":[[0,\"r0\"],[1,\"r1\"]"))
    }

    @Test func withoutMaxBatchRowsBatchesHoldTheDefault() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/echo", count: 2001)
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(2001))
        let sizes = server.requests().map(\.rows.count).sorted()
        #expect(sizes == [1, FunctionCallSettings.defaultMaxBatchRows, FunctionCallSettings.defaultMaxBatchRows])
    }

    @Test func manySmallBatchesInFlightStayInOrder() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/jitter", count: 3000, maxBatchRows: 7, concurrency: 8)
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(3000))
    }

    @Test func fiveHundredAndFourTwentyNineAreRetriedWithTheSameBatchID() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/flaky", count: 10, maxBatchRows: 5, retries: 3)
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(10))
        let posts = server.requests()
        #expect(posts.count == 6)
        let ids = posts.compactMap { $0.headers["sf-external-function-query-batch-id"] }
        #expect(ids.filter { $0 == "q-1-0" }.count == 3)
        #expect(ids.filter { $0 == "q-1-1" }.count == 3)
    }

    @Test func tooFewRetriesFailTheCallWithTheServicesError() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/flaky", count: 3, retries: 1)
        guard case .batchFailed(0, 0..<3, 2, let reason) = result.error else {
            Issue.record("expected batch 0 to fail after 2 attempts, got \(String(describing: result.error))")
            return
        }
        #expect(reason.contains("429"))
        #expect(reason.contains("slow down"))
    }

    @Test func twoHundredAndTwoIsPolledWithGetAndTheSameBatchID() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/async", count: 4, maxBatchRows: 2)
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(4))
        let requests = server.requests()
        let gets = requests.filter { $0.method == "GET" }
        #expect(requests.filter { $0.method == "POST" }.count == 2)
        #expect(gets.count == 6)
        #expect(gets.allSatisfy { $0.path == "/async" && $0.headers["sf-external-function-format"] == "json" })
        #expect(Set(gets.compactMap { $0.headers["sf-external-function-query-batch-id"] }) == ["q-1-0", "q-1-1"])
    }

    @Test func aPollTheInstanceNoLongerKnowsSendsTheBatchAgain() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/forgetful", count: 3)
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(3))
        let requests = server.requests()
        #expect(requests.map(\.method) == ["POST", "GET", "POST"])
        #expect(Set(requests.compactMap { $0.headers["sf-external-function-query-batch-id"] }) == ["q-1-0"])
    }

    @Test func abortFailsTheCallAfterEveryRetry() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/fail", count: 3, retries: 2, onFailure: .abort)
        guard case .batchFailed(0, _, 3, let reason) = result.error else {
            Issue.record("expected an aborted batch, got \(String(describing: result.error))")
            return
        }
        #expect(reason.contains("HTTP 500"))
        #expect(reason.contains("boom: the model is not loaded"))
        #expect(server.requests().count == 3)
        #expect(result.lines.isEmpty)
    }

    @Test func returnNullGivesNullsForTheFailedBatchOnly() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(
            server, path: "/fail", count: 5, maxBatchRows: 2, retries: 0, onFailure: .returnNull)
        #expect(result.error == nil)
        #expect(result.lines == Array(repeating: "null", count: 5))
    }

    @Test func aFourHundredIsNotRetried() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/refuse", count: 2, retries: 3)
        guard case .batchFailed(0, _, 1, let reason) = result.error else {
            Issue.record("expected a refused batch, got \(String(describing: result.error))")
            return
        }
        #expect(reason.contains("argument 1 must be a date"))
        #expect(server.requests().count == 1)
    }

    @Test func batchTimeoutSecsBoundsABatch() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/sleep", count: 2, timeout: 1)
        #expect(result.error == .timedOut(batch: 0, rows: 0..<2, seconds: 1))
        #expect(result.error?.description.contains("BATCH_TIMEOUT_SECS") == true)
    }

    @Test(arguments: [
        ("/wrongcount", "1 rows answered for the 2 sent"),
        ("/order", "rows out of order"),
        ("/malformed", "the text ends inside an array"),
    ])
    func wrongAnswersAreErrorsNamingTheBatch(path: String, words: String) async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        // RETURN_NULL too: a wrong answer is never turned into nulls.
        let result = await Self.call(server, path: path, count: 4, maxBatchRows: 2, onFailure: .returnNull)
        guard case .badResponse(let batch, let rows, let reason) = result.error else {
            Issue.record("expected a wrong answer error, got \(String(describing: result.error))")
            return
        }
        #expect(batch == 0 || batch == 1)
        #expect(rows.count == 2)
        #expect(reason.contains(words))
        #expect(result.error?.description.contains("batch \(batch)") == true)
        // Not retried.
        #expect(server.requests().count <= 2)
    }

    @Test func answersSpanningLinesComeBackOneLinePerRow() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let result = await Self.call(server, path: "/pretty", count: 3)
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(3))
    }

    @Test func aDeadInstanceIsRetriedOnAnotherReadyOne() async throws {
        let server = try FunctionServer()
        defer { server.stop() }
        let dead = FunctionBackend(id: "9", host: "127.0.0.1", port: 1)
        let result = await Self.call(
            server, path: "/echo", count: 40, maxBatchRows: 2, retries: 1, backends: [dead])
        #expect(result.error == nil)
        #expect(result.lines == Self.expectedLines(40))
    }

    @Test func noReadyInstanceSaysSo() async {
        let result = await Self.call(nil, path: "/echo", count: 1, retries: 1)
        guard case .noReadyInstance("SVC", "api", _) = result.error else {
            Issue.record("expected no READY instance, got \(String(describing: result.error))")
            return
        }
    }
}
