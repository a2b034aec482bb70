import FloeAPI
import FloeSpec
import Foundation
import Hummingbird
import NIOCore

/// The secret routes of the control API. Values go in (`PUT`) and never come out.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/secrets` | `[SecretSummary]`: names, types and keys |
/// | `PUT /v1/secrets/{name}` | stores `SecretUpdate`; `{"secret": NAME}` |
/// | `DELETE /v1/secrets/{name}` | `{"secret": NAME}`, or 404 |
extension ControlAPI {
    /// The largest secret body accepted.
    static let maxSecretBytes = 1 << 20

    static func addSecretRoutes(to router: Router<BasicRequestContext>, reconciler: Reconciler) {
        router.get("/v1/secrets") { _, _ in
            try json(await reconciler.secretList().map(\.summary))
        }
        router.put("/v1/secrets/:name") { request, context in
            let written = try parameter(context, "name")
            guard let name = ObjectName(written) else { return try badSecretName(written) }
            let body = try await request.body.collect(upTo: maxSecretBytes)
            guard let update = try? JSONDecoder().decode(SecretUpdate.self, from: Data(body.readableBytesView)) else {
                return try json(
                    APIError(error: "the body must be a JSON secret: {\"type\": \"password\", ...}"),
                    status: .badRequest)
            }
            do throws(SecretError) {
                try await reconciler.setSecret(name, update)
            } catch {
                let status: HTTPResponse.Status
                switch error {
                case .invalid: status = .badRequest
                case .io: status = .internalServerError
                }
                return try json(APIError(error: error.description), status: status)
            }
            return try json(["secret": name.value])
        }
        router.delete("/v1/secrets/:name") { _, context in
            let written = try parameter(context, "name")
            guard let name = ObjectName(written) else { return try badSecretName(written) }
            let removed: Bool
            do throws(SecretError) {
                removed = try await reconciler.deleteSecret(name)
            } catch {
                return try json(APIError(error: error.description), status: .internalServerError)
            }
            guard removed else { return try json(APIError(error: "secret \(name) does not exist"), status: .notFound) }
            return try json(["secret": name.value])
        }
    }

    static func badSecretName(_ written: String) throws -> Response {
        try json(
            APIError(
                error: "'\(written)' is not a secret name: use letters, digits, '_' and '$', starting with a letter"),
            status: .badRequest)
    }
}
