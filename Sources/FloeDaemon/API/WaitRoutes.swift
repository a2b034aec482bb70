import FloeAPI
import Foundation
import Hummingbird

/// The wait routes.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/services/{name}/wait?for=READY&timeout=S` | `{"reached": bool, "status": "..."}` |
/// | `POST /v1/wait` `{"names": [...], "for": "READY", "timeout": S}` | `{"reached": bool, "objects": [{"name", "reached", "status"}]}` |
enum WaitRoutes {
    static func collection(queries: ServiceQueries) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("/v1/services/:name/wait") { request, context in
            let name = try ControlAPI.parameter(context, "name")
            let target = (request.uri.queryParameters.get("for") ?? ContainerStatusName.ready.rawValue).uppercased()
            let timeout = ControlAPI.waitTimeout(request.uri.queryParameters.get("timeout", as: Double.self) ?? 300)
            return try await ControlAPI.answer { () throws(QueryError) in
                let (reached, status) = try await queries.wait(name, for: target, timeout: timeout)
                return SingleWaitAnswer(reached: reached, status: status)
            }
        }
        routes.post("/v1/wait") { request, _ in
            let body = try await request.body.collect(upTo: 16 << 20)
            guard let wait = try? JSONDecoder().decode(WaitRequest.self, from: Data(body.readableBytesView)),
                WaitRequest.targets.contains(wait.target.uppercased()), !wait.names.isEmpty
            else {
                return try ControlAPI.json(
                    APIError(
                        error:
                            #"the body must be {"names": ["NAME", ...], "for": "READY|RUNNING|DONE|FAILED", "timeout": SECONDS}"#
                    ), status: .badRequest)
            }
            return try await ControlAPI.answer { () throws(QueryError) in
                try await queries.wait(
                    all: wait.names, for: wait.target.uppercased(), timeout: ControlAPI.waitTimeout(wait.timeout))
            }
        }
        return routes
    }
}

/// `GET /v1/services/{name}/wait`.
struct SingleWaitAnswer: Codable, Sendable {
    var reached: Bool
    var status: String
}
