import FloeAPI
import FloeIngress
import Foundation
import HTTPTypes
import Hummingbird

/// The ingress routes.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/services/{name}/endpoints` | SHOW ENDPOINTS IN SERVICE rows, with each public endpoint's ingress URL |
enum IngressRoutes {
    static func collection(queries: ServiceQueries, manager: IngressManager) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("/v1/services/:name/endpoints") { _, context in
            let name = try ControlAPI.parameter(context, "name")
            let urls = await manager.urls()
            return try await ControlAPI.answer { () throws(QueryError) in
                let (object, specs) = try queries.endpoints(name)
                let service = object.value
                return specs.map { spec in
                    EndpointRow(
                        name: spec.name, port: spec.port,
                        portRange: spec.portRange.map { "\($0.lowerBound)-\($0.upperBound)" },
                        protocol: spec.protocol.rawValue, isPublic: spec.isPublic,
                        ingressURL: spec.isPublic ? urls[IngressRoute(service: service, endpoint: spec.name)] ?? "" : ""
                    )
                }
            }
        }
        return routes
    }
}
