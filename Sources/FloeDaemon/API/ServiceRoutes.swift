import FloeAPI
import FloeRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The service routes.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/services` | SHOW SERVICES rows |
/// | `GET /v1/services/{name}` | DESCRIBE SERVICE |
/// | `GET /v1/services/{name}/status?timeout=S` | SYSTEM$GET_SERVICE_STATUS array |
/// | `GET /v1/services/{name}/containers`, `/instances` | SHOW SERVICE CONTAINERS / INSTANCES |
/// | `GET /v1/services/{name}/logs?instance=&container=&lines=&previous=&offset=` | log text |
/// | `POST /v1/services/{name}/suspend`, `/resume` | `{"status": "..."}` |
enum ServiceRoutes {
    static func collection(queries: ServiceQueries) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("/v1/services") { _, _ in try ControlAPI.json(queries.services(jobs: false)) }
        routes.get("/v1/services/:name") { _, context in
            let name = try ControlAPI.parameter(context, "name")
            return try await ControlAPI.answer { () throws(QueryError) in try queries.describe(name) }
        }
        routes.get("/v1/services/:name/status") { request, context in
            let name = try ControlAPI.parameter(context, "name")
            let timeout = request.uri.queryParameters.get("timeout", as: Double.self).map { Duration.seconds($0) }
            return try await ControlAPI.answer { () throws(QueryError) in
                try await queries.status(name, timeout: timeout)
            }
        }
        routes.get("/v1/services/:name/containers") { _, context in
            let name = try ControlAPI.parameter(context, "name")
            return try await ControlAPI.answer { () throws(QueryError) in try queries.containers(name) }
        }
        routes.get("/v1/services/:name/instances") { _, context in
            let name = try ControlAPI.parameter(context, "name")
            return try await ControlAPI.answer { () throws(QueryError) in try queries.instances(name) }
        }
        routes.get("/v1/services/:name/logs") { request, context in
            try logs(request, context, queries: queries)
        }
        routes.post("/v1/services/:name/suspend") { _, context in
            try await suspension(context, queries.suspendService)
        }
        routes.post("/v1/services/:name/resume") { _, context in
            try await suspension(context, queries.resumeService)
        }
        return routes
    }

    static func logs(_ request: Request, _ context: BasicRequestContext, queries: ServiceQueries) throws -> Response {
        let name = try ControlAPI.parameter(context, "name")
        let query = request.uri.queryParameters
        let path: String
        do throws(QueryError) {
            path = try queries.logPath(
                name, instance: query.get("instance", as: Int.self), container: query.get("container"),
                previous: query.get("previous") == "true")
        } catch {
            return try ControlAPI.json(APIError(error: error.description), status: .notFound)
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

    static func suspension(
        _ context: BasicRequestContext, _ change: (String) async throws(SuspensionError) -> String
    ) async throws -> Response {
        let name = try ControlAPI.parameter(context, "name")
        let status: String
        do throws(SuspensionError) {
            status = try await change(name)
        } catch {
            return try ControlAPI.json(APIError(error: error.description), status: .notFound)
        }
        return try ControlAPI.json(["status": status])
    }
}
