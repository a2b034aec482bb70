import FloeAPI
import Foundation
import HTTPTypes
import Hummingbird

/// The ingress's access token routes.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/tokens` | `[{"name", "user", "created_on"}]` |
/// | `POST /v1/tokens?name=N&user=U` | `{"name", "user", "created_on", "token"}` (the token, once) |
/// | `DELETE /v1/tokens/{name}` | `{"revoked": "NAME"}` |
enum TokenRoutes {
    static func collection(tokens: AccessTokenStore) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("/v1/tokens") { _, _ in
            try ControlAPI.json(tokens.list().map { TokenRow($0, secret: nil) })
        }
        routes.post("/v1/tokens") { request, _ in
            let query = request.uri.queryParameters
            let name = query.get("name") ?? ""
            let row: TokenRow
            do throws(AccessTokenError) {
                let (token, secret) = try tokens.create(name: name, user: query.get("user"))
                row = TokenRow(token, secret: secret)
            } catch {
                return try ControlAPI.json(APIError(error: error.description), status: .badRequest)
            }
            return try ControlAPI.json(row)
        }
        routes.delete("/v1/tokens/:name") { _, context in
            let name = try ControlAPI.parameter(context, "name")
            do throws(AccessTokenError) {
                try tokens.revoke(name: name)
            } catch {
                return try ControlAPI.json(APIError(error: error.description), status: .notFound)
            }
            return try ControlAPI.json(["revoked": name])
        }
        return routes
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
