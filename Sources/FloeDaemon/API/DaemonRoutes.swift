import FloeAPI
import Foundation
import Hummingbird

/// The daemon's own routes.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/info` | daemon facts (stage, state directory, summary) |
/// | `GET /v1/pools` | SHOW COMPUTE POOLS rows |
/// | `GET /v1/events?object=&limit=` | events, oldest first |
/// | `POST /v1/rescan` | rescan the stage now |
enum DaemonRoutes {
    static func collection(queries: ServiceQueries, settings: DaemonSettings, rescan: @escaping @Sendable () -> Void)
        -> RouteCollection<BasicRequestContext>
    {
        let routes = RouteCollection()
        routes.get("/v1/info") { _, _ in
            let info = DaemonInfo(
                stage: settings.stageDirectory, stateDirectory: settings.stateDirectory,
                socket: settings.socketPath, summary: queries.summary(), pid: Int(getpid()))
            return try ControlAPI.json(info)
        }
        routes.get("/v1/pools") { _, _ in try ControlAPI.json(queries.pools()) }
        routes.get("/v1/events") { request, _ in
            let object = request.uri.queryParameters.get("object")
            let limit = request.uri.queryParameters.get("limit", as: Int.self) ?? 1000
            return try await ControlAPI.answer { () throws(QueryError) in
                try queries.eventList(object: object, limit: limit)
            }
        }
        routes.post("/v1/rescan") { _, _ in
            rescan()
            return try ControlAPI.json(["rescan": "started"])
        }
        return routes
    }
}
