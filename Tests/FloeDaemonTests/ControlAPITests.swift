import FloeAPI
import FloeCore
import FloeSpec
import FloeTesting
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FloeDaemon

/// The control API's route collections through Hummingbird's testing client, over a loop with fakes.
@Suite("Control API routes")
struct ControlAPITests {
    static func withApp(_ body: @escaping @Sendable (LoopHarness, any TestClientProtocol) async throws -> Void)
        async throws
    {
        let h = try await LoopHarness()
        defer { Task { await h.tearDown() } }
        let router = ControlAPI.router(queries: h.queries, settings: h.settings, rescan: {})
        let app = Application(router: router)
        try await app.test(.router) { client in try await body(h, client) }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(response.body.readableBytesView))
    }

    @Test func servicesStatusAndDescribeAnswerFromTheSnapshot() async throws {
        try await Self.withApp { h, client in
            try await h.drop("web.yaml", LoopHarness.service())
            #expect(await h.until { h.statuses("web") == ["READY"] })
            try await client.execute(uri: "/v1/services", method: .get) { response in
                #expect(response.status == .ok)
                let rows = try Self.decode([ServiceRow].self, response)
                #expect(rows.map(\.name) == ["WEB"])
                #expect(rows.first?.status == "RUNNING")
            }
            try await client.execute(uri: "/v1/services/web/status", method: .get) { response in
                let rows = try Self.decode([ContainerStatus].self, response)
                #expect(rows.map(\.status) == ["READY"])
            }
            try await client.execute(uri: "/v1/services/web", method: .get) { response in
                let description = try Self.decode(ServiceDescription.self, response)
                #expect(description.status == "RUNNING")
            }
            try await client.execute(uri: "/v1/services/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                let error = try Self.decode(APIError.self, response)
                #expect(error.error.contains("does not exist"))
            }
            try await client.execute(uri: "/v1/jobs", method: .get) { response in
                let decoded = try Self.decode([ServiceRow].self, response)
                #expect(decoded.isEmpty)
            }
        }
    }

    @Test func waitRoutesCheckTheirBodyAndWait() async throws {
        try await Self.withApp { h, client in
            try await h.drop("web.yaml", LoopHarness.service())
            let body = try JSONEncoder().encode(WaitRequest(names: ["web"], target: "READY", timeout: 30))
            try await client.execute(uri: "/v1/wait", method: .post, body: ByteBuffer(data: body)) { response in
                #expect(response.status == .ok)
                let answer = try Self.decode(WaitAnswer.self, response)
                #expect(answer.reached)
            }
            try await client.execute(uri: "/v1/wait", method: .post, body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/v1/services/web/wait?for=RUNNING&timeout=5", method: .get) { response in
                let decoded = try Self.decode(SingleWaitAnswer.self, response)
                #expect(decoded.reached)
            }
        }
    }

    @Test func suspendAndResumeGoThroughTheLoop() async throws {
        try await Self.withApp { h, client in
            try await h.drop("web.yaml", LoopHarness.service())
            #expect(await h.until { h.statuses("web") == ["READY"] })
            try await client.execute(uri: "/v1/services/web/suspend", method: .post) { response in
                #expect(response.status == .ok)
                let status = try Self.decode([String: String].self, response)["status"]
                #expect(status == "SUSPENDING" || status == "SUSPENDED")
            }
            #expect(await h.until { h.runtime.running.isEmpty })
            try await client.execute(uri: "/v1/services/nothing/resume", method: .post) { response in
                #expect(response.status == .notFound)
            }
            try await client.execute(uri: "/v1/services/web/resume", method: .post) { response in
                #expect(response.status == .ok)
            }
            #expect(await h.until { h.statuses("web") == ["READY"] })
        }
    }

    @Test func secretsAreSetListedAndDeletedThroughTheLoop() async throws {
        try await Self.withApp { h, client in
            let secret = #"{"type": "password", "username": "app", "password": "s3cret"}"#
            try await client.execute(uri: "/v1/secrets/db_login", method: .put, body: ByteBuffer(string: secret)) {
                response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/secrets", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("DB_LOGIN"))
                #expect(!text.contains("s3cret"))
            }
            #expect(h.loop.events.list(object: nil, limit: 100).contains { $0.reason == "secret-set" })
            try await client.execute(uri: "/v1/secrets/db_login", method: .delete) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/secrets/db_login", method: .delete) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func infoPoolsEventsAndFunctions() async throws {
        try await Self.withApp { h, client in
            try await h.drop("web.yaml", LoopHarness.service())
            try await client.execute(uri: "/v1/info", method: .get) { response in
                let decoded = try Self.decode(DaemonInfo.self, response)
                #expect(decoded.stage == h.settings.stageDirectory)
            }
            try await client.execute(uri: "/v1/pools", method: .get) { response in
                let decoded = try Self.decode([PoolRow].self, response)
                #expect(decoded.map(\.name) == ["DEFAULT_POOL"])
            }
            try await client.execute(uri: "/v1/events?limit=5", method: .get) { response in
                let decoded = try Self.decode([EventRecord].self, response)
                #expect(!decoded.isEmpty)
            }
            try await client.execute(uri: "/v1/functions", method: .get) { response in
                let decoded = try Self.decode([FunctionInfo].self, response)
                #expect(decoded.isEmpty)
            }
            try await client.execute(uri: "/v1/functions/nope", method: .post, body: ByteBuffer(string: "[1]\n")) {
                response in
                #expect(response.status == .notFound)
            }
        }
    }
}
