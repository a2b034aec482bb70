import FloeAPI
import FloeIngress
import Foundation
import HTTPTypes
import Hummingbird

/// The control API's routes for ingress, tokens and service suspension:
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/services/{name}/endpoints` | SHOW ENDPOINTS IN SERVICE rows |
/// | `POST /v1/services/{name}/suspend`, `/resume` | `{"status": "..."}` |
/// | `GET /v1/tokens` | `[{"name", "user", "created_on"}]` |
/// | `POST /v1/tokens?name=N&user=U` | `{"name", "user", "created_on", "token"}` (the token, once) |
/// | `DELETE /v1/tokens/{name}` | `{"revoked": "NAME"}` |
extension ControlAPI {
    static func addIngressRoutes(
        to router: Router<BasicRequestContext>, reconciler: Reconciler, manager: IngressManager,
        tokens: AccessTokenStore
    ) {
        router.get("/v1/services/:name/endpoints") { _, context in
            let name = try parameter(context, "name")
            let urls = await manager.urls()
            return try await answer { () throws(QueryError) in
                let specs = try await reconciler.endpoints(name)
                let service = try await reconciler.resolve(name).value
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
        router.post("/v1/services/:name/suspend") { _, context in
            let name = try parameter(context, "name")
            let status: String
            do throws(SuspensionError) {
                status = try await reconciler.suspendService(name)
            } catch {
                return try json(APIError(error: error.description), status: .notFound)
            }
            return try json(["status": status])
        }
        router.post("/v1/services/:name/resume") { _, context in
            let name = try parameter(context, "name")
            let status: String
            do throws(SuspensionError) {
                status = try await reconciler.resumeService(name)
            } catch {
                return try json(APIError(error: error.description), status: .notFound)
            }
            return try json(["status": status])
        }
        router.get("/v1/tokens") { _, _ in
            try json(tokens.list().map { TokenRow($0, secret: nil) })
        }
        router.post("/v1/tokens") { request, _ in
            let query = request.uri.queryParameters
            let name = query.get("name") ?? ""
            let row: TokenRow
            do throws(AccessTokenError) {
                let (token, secret) = try tokens.create(name: name, user: query.get("user"))
                row = TokenRow(token, secret: secret)
            } catch {
                return try json(APIError(error: error.description), status: .badRequest)
            }
            return try json(row)
        }
        router.delete("/v1/tokens/:name") { _, context in
            let name = try parameter(context, "name")
            do throws(AccessTokenError) {
                try tokens.revoke(name: name)
            } catch {
                return try json(APIError(error: error.description), status: .notFound)
            }
            return try json(["revoked": name])
        }
    }
}

/// A token as the control API shows it (the secret only when it was just created).
struct TokenRow: Codable, Sendable {
    var name: String
    var user: String
    var createdOn: String
    var token: String?

    init(_ token: AccessToken, secret: String?) {
        name = token.name
        user = token.user
        createdOn = Timestamp.rfc3339(token.createdAt)
        self.token = secret
    }

    enum CodingKeys: String, CodingKey {
        case name, user, token
        case createdOn = "created_on"
    }
}
