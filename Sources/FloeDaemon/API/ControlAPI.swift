import FloeAPI
import FloeRuntime
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// floed's control API: HTTP/JSON on a Unix socket, used by `floectl` and by programs. One route
/// collection per feature:
///
/// | collection | routes |
/// |---|---|
/// | ``DaemonRoutes`` | `GET /v1/info`, `GET /v1/pools`, `GET /v1/events`, `POST /v1/rescan` |
/// | ``ServiceRoutes`` | `GET /v1/services[/{name}[/status, /containers, /instances, /logs]]`, `POST .../suspend`, `/resume` |
/// | ``JobRoutes`` | `GET /v1/jobs` |
/// | ``WaitRoutes`` | `GET /v1/services/{name}/wait`, `POST /v1/wait` |
/// | ``FunctionRoutes`` | `GET /v1/functions`, `POST /v1/functions/{name}` |
/// | ``IngressRoutes`` | `GET /v1/services/{name}/endpoints` |
/// | ``TokenRoutes`` | `GET`, `POST /v1/tokens`, `DELETE /v1/tokens/{name}` |
/// | ``SecretRoutes`` | `GET /v1/secrets`, `PUT`, `DELETE /v1/secrets/{name}` |
enum ControlAPI {
    /// The router with every collection but the ingress's (``IngressRoutes`` and ``TokenRoutes`` are
    /// added with the ingress).
    static func router(queries: ServiceQueries, settings: DaemonSettings, rescan: @escaping @Sendable () -> Void)
        -> Router<BasicRequestContext>
    {
        let router = Router()
        router.addRoutes(DaemonRoutes.collection(queries: queries, settings: settings, rescan: rescan))
        router.addRoutes(ServiceRoutes.collection(queries: queries))
        router.addRoutes(JobRoutes.collection(queries: queries))
        router.addRoutes(WaitRoutes.collection(queries: queries))
        router.addRoutes(FunctionRoutes.collection(queries: queries))
        router.addRoutes(SecretRoutes.collection(queries: queries))
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

    /// The JSON of what `body` answers, or a 404 with the query's error.
    static func answer<T: Encodable>(_ body: () async throws(QueryError) -> T) async throws -> Response {
        let value: T
        do throws(QueryError) {
            value = try await body()
        } catch {
            return try json(APIError(error: error.description), status: .notFound)
        }
        return try json(value)
    }

    /// `value` as JSON (keys sorted).
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
