import FloeAPI
import FloeRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// floed's control API: HTTP/JSON on a Unix socket, used by `floectl` and by programs.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/info` | daemon facts (stage, state directory, summary) |
/// | `GET /v1/services`, `GET /v1/jobs` | SHOW SERVICES rows |
/// | `GET /v1/services/{name}/status?timeout=S` | SYSTEM$GET_SERVICE_STATUS array |
/// | `GET /v1/services/{name}` | DESCRIBE SERVICE |
/// | `GET /v1/services/{name}/containers`, `/instances` | SHOW SERVICE CONTAINERS / INSTANCES |
/// | `GET /v1/services/{name}/logs?instance=&container=&lines=&previous=&offset=` | log text |
/// | `GET /v1/services/{name}/wait?for=READY&timeout=S` | `{"reached": bool, "status": "..."}` |
/// | `POST /v1/wait` `{"names": [...], "for": "READY", "timeout": S}` | `{"reached": bool, "objects": [{"name", "reached", "status"}]}` |
/// | `GET /v1/pools` | SHOW COMPUTE POOLS rows |
/// | `GET /v1/events?object=&limit=` | events, oldest first |
/// | `POST /v1/rescan` | rescan the stage now |
/// | `GET`, `PUT`, `DELETE /v1/secrets[/{name}]` | secrets (see ControlAPI+Secrets) |
/// | `GET /v1/functions`, `POST /v1/functions/{name}` | service functions (ControlAPI+Functions.swift) |
enum ControlAPI {
    static func router(reconciler: Reconciler, settings: DaemonSettings, rescan: @escaping @Sendable () -> Void)
        -> Router<BasicRequestContext>
    {
        let router = Router()
        router.get("/v1/info") { _, _ in
            let info = DaemonInfo(
                stage: settings.stageDirectory, stateDirectory: settings.stateDirectory,
                socket: settings.socketPath, summary: await reconciler.summary(), pid: Int(getpid()))
            return try json(info)
        }
        router.get("/v1/services") { _, _ in try json(await reconciler.services(jobs: false)) }
        router.get("/v1/jobs") { _, _ in try json(await reconciler.services(jobs: true)) }
        router.get("/v1/pools") { _, _ in try json(await reconciler.pools()) }
        router.get("/v1/events") { request, _ in
            let object = request.uri.queryParameters.get("object")
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 1000
            return try await answer { () throws(QueryError) in
                try await reconciler.eventList(object: object, limit: limit)
            }
        }
        router.post("/v1/rescan") { _, _ in
            rescan()
            return try json(["rescan": "started"])
        }
        router.get("/v1/services/:name") { _, context in
            let name = try parameter(context, "name")
            return try await answer { () throws(QueryError) in try await reconciler.describe(name) }
        }
        router.get("/v1/services/:name/status") { request, context in
            let name = try parameter(context, "name")
            let timeout = request.uri.queryParameters.get("timeout", as: Double.self).map { Duration.seconds($0) }
            return try await answer { () throws(QueryError) in try await reconciler.status(name, timeout: timeout) }
        }
        router.get("/v1/services/:name/wait") { request, context in
            let name = try parameter(context, "name")
            let target = (request.uri.queryParameters.get("for") ?? "READY").uppercased()
            let timeout = waitTimeout(request.uri.queryParameters.get("timeout", as: Double.self) ?? 300)
            return try await answer { () throws(QueryError) in
                let (reached, status) = try await reconciler.wait(name, for: target, timeout: timeout)
                return SingleWaitAnswer(reached: reached, status: status)
            }
        }
        router.post("/v1/wait") { request, _ in
            let body = try await request.body.collect(upTo: 16 << 20)
            guard let wait = try? JSONDecoder().decode(WaitRequest.self, from: Data(body.readableBytesView)),
                WaitRequest.targets.contains(wait.target.uppercased()), !wait.names.isEmpty
            else {
                return try json(
                    APIError(
                        error:
                            #"the body must be {"names": ["NAME", ...], "for": "READY|RUNNING|DONE|FAILED", "timeout": SECONDS}"#
                    ), status: .badRequest)
            }
            return try await answer { () throws(QueryError) in
                try await reconciler.wait(
                    all: wait.names, for: wait.target.uppercased(), timeout: waitTimeout(wait.timeout))
            }
        }
        router.get("/v1/services/:name/containers") { _, context in
            let name = try parameter(context, "name")
            return try await answer { () throws(QueryError) in try await reconciler.containers(name) }
        }
        router.get("/v1/services/:name/instances") { _, context in
            let name = try parameter(context, "name")
            return try await answer { () throws(QueryError) in try await reconciler.instances(name) }
        }
        router.get("/v1/services/:name/logs") { request, context in
            let name = try parameter(context, "name")
            let query = request.uri.queryParameters
            let path: String
            do throws(QueryError) {
                path = try await reconciler.logPath(
                    name, instance: query.get("instance", as: Int.self), container: query.get("container"),
                    previous: query.get("previous") == "true")
            } catch {
                return try json(APIError(error: error.description), status: .notFound)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            if let offset = query.get("offset", as: Int.self) {
                // Follow mode: bytes from `offset`; the new offset comes back in a header.
                let (bytes, next) = LogReader.read(path: path, from: offset)
                headers[HTTPField.Name("Floe-Log-Offset")!] = String(next)
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
            }
            let lines = query.get("lines", as: Int.self) ?? 100
            let text = LogFiles.tail(path: path, lines: lines)
            headers[HTTPField.Name("Floe-Log-Offset")!] = String(LogReader.size(path: path))
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        addSecretRoutes(to: router, reconciler: reconciler)
        addFunctionRoutes(to: router, reconciler: reconciler)
        return router
    }

    /// A wait's timeout in seconds as a duration: negative and not-a-number are 0, at most
    /// ``WaitRequest/longestTimeout``.
    static func waitTimeout(_ seconds: Double) -> Duration {
        guard !seconds.isNaN, seconds > 0 else { return .zero }
        return .milliseconds(Int64(min(seconds, WaitRequest.longestTimeout) * 1000))
    }

    /// A path parameter, percent-decoded.
    static func parameter(_ context: BasicRequestContext, _ key: String) throws -> String {
        let raw = try context.parameters.require(key)
        return raw.removingPercentEncoding ?? raw
    }

    static func answer<T: Encodable>(_ body: () async throws(QueryError) -> T) async throws -> Response {
        let value: T
        do throws(QueryError) {
            value = try await body()
        } catch {
            return try json(APIError(error: error.description), status: .notFound)
        }
        return try json(value)
    }

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(value)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// `GET /v1/info`.
struct DaemonInfo: Codable, Sendable {
    var stage: String
    var stateDirectory: String
    var socket: String
    var summary: String
    var pid: Int
}

/// `GET /v1/services/{name}/wait`.
struct SingleWaitAnswer: Codable, Sendable {
    var reached: Bool
    var status: String
}
