import FloeAPI
import FloeSpec
import Foundation
import Hummingbird
import NIOCore

/// The secret routes. Values go in (`PUT`) and never come out.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/secrets` | `[SecretSummary]`: names, types and keys |
/// | `PUT /v1/secrets/{name}` | stores `SecretUpdate`; `{"secret": NAME}` |
/// | `DELETE /v1/secrets/{name}` | `{"secret": NAME}`, or 404 |
enum SecretRoutes {
    /// The largest secret body accepted.
    static let maxSecretBytes = 1 << 20

    static func collection(queries: ServiceQueries) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("/v1/secrets") { _, _ in
            try ControlAPI.json(queries.secretList().map(\.summary))
        }
        routes.put("/v1/secrets/:name") { request, context in
            let written = try ControlAPI.parameter(context, "name")
            guard let name = ObjectName(written) else { return try badSecretName(written) }
            let body = try await request.body.collect(upTo: maxSecretBytes)
            guard let update = try? JSONDecoder().decode(SecretUpdate.self, from: Data(body.readableBytesView)) else {
                return try ControlAPI.json(
                    APIError(error: "the body must be a JSON secret: {\"type\": \"password\", ...}"),
                    status: .badRequest)
            }
            do throws(SecretError) {
                try await queries.setSecret(name, update)
            } catch {
                let status: HTTPResponse.Status
                switch error {
                case .invalid: status = .badRequest
                case .io: status = .internalServerError
                }
                return try ControlAPI.json(APIError(error: error.description), status: status)
            }
            return try ControlAPI.json(["secret": name.value])
        }
        routes.delete("/v1/secrets/:name") { _, context in
            let written = try ControlAPI.parameter(context, "name")
            guard let name = ObjectName(written) else { return try badSecretName(written) }
            let removed: Bool
            do throws(SecretError) {
                removed = try await queries.deleteSecret(name)
            } catch {
                return try ControlAPI.json(APIError(error: error.description), status: .internalServerError)
            }
            guard removed else {
                return try ControlAPI.json(APIError(error: "secret \(name) does not exist"), status: .notFound)
            }
            return try ControlAPI.json(["secret": name.value])
        }
        return routes
    }

    static func badSecretName(_ written: String) throws -> Response {
        try ControlAPI.json(
            APIError(
                error: "'\(written)' is not a secret name: use letters, digits, '_' and '$', starting with a letter"),
            status: .badRequest)
    }
}
