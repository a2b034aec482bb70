import AsyncHTTPClient
import FloeAPI
import FloeFunctions
import FloeSpec
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The service function routes.
///
/// | route | answer |
/// |---|---|
/// | `GET /v1/functions` | the stage's functions (``FunctionInfo`` rows) |
/// | `POST /v1/functions/{name}?wait=S` | body: JSON lines, one array of arguments per line; answer: JSON lines, one result per row, in input order |
///
/// A call's answer streams. Errors found before the first result get a status and an ``APIError``
/// body: 404 unknown function, 400 bad input, 503 no READY instance (after waiting `wait` seconds,
/// default 30), 502 the service failed or answered wrongly, 504 BATCH_TIMEOUT_SECS. A call that fails
/// after results began ends with the line `floe-error: MESSAGE` (never a JSON value, so never taken for
/// a result) and the trailer `Floe-Error`; a complete answer has the trailer `Floe-Rows` (the row count). `Floe-Query-Id` (a header) is the call's
/// `sf-external-function-current-query-id`. Context headers the function asks for are taken from the
/// request's `sf-context-*` headers (floectl sends `sf-context-current-user`); CURRENT_TIMESTAMP
/// defaults to the call's start.
enum FunctionRoutes {
    /// The upstream client for all calls: no connection retries, so a dead instance fails fast.
    static let functionClient = FunctionCaller.makeHTTPClient()

    static let rowsTrailer = HTTPField.Name("Floe-Rows")!
    static let errorTrailer = HTTPField.Name("Floe-Error")!
    static let queryIDHeader = HTTPField.Name("Floe-Query-Id")!

    static func collection(queries: ServiceQueries) -> RouteCollection<BasicRequestContext> {
        let routes = RouteCollection()
        routes.get("/v1/functions") { _, _ in try ControlAPI.json(queries.functions()) }
        routes.post("/v1/functions/:name") { request, context in
            let raw = try ControlAPI.parameter(context, "name")
            guard let (name, spec) = queries.function(raw) else {
                return try ControlAPI.json(
                    APIError(
                        error: "function '\(raw)' does not exist; `floectl functions` lists the stage's functions"),
                    status: .notFound)
            }
            let wait = request.uri.queryParameters.get("wait", as: Double.self) ?? 30
            let backends = queries.functionBackends(spec)
            if await backends(.seconds(max(wait, 0))).isEmpty {
                let error = FunctionCallError.noReadyInstance(
                    service: spec.service.value, endpoint: spec.endpoint, waitedSeconds: Int(wait))
                return try ControlAPI.json(APIError(error: error.description), status: status(error))
            }
            let queryID = UUID().uuidString.lowercased()
            let settings = FunctionCallSettings(queryID: queryID, context: contextValues(request.headers))
            let caller = FunctionCaller(
                name: name.value, function: spec, settings: settings, client: functionClient, backends: backends)
            return try await stream(caller, body: request.body, queryID: queryID)
        }
        return routes
    }

    /// Runs the call and answers with its results, streamed; an error before the first result is an
    /// error answer instead.
    static func stream(_ caller: FunctionCaller, body: RequestBody, queryID: String) async throws -> Response {
        let channel = ResultChannel()
        let call = Task {
            do throws(FunctionCallError) {
                let rows = try await caller.call(JSONLineRows(body)) { chunk in try await channel.send(chunk) }
                await channel.finish(.success(rows))
            } catch {
                await channel.finish(.failure(.init(error: error)))
            }
        }
        var headers = HTTPFields()
        headers[queryIDHeader] = queryID
        let first = await channel.next()
        if case .end(.failure(let failure)) = first {
            let error = failure.error as? FunctionCallError ?? .cancelled
            var response = try ControlAPI.json(APIError(error: error.description), status: status(error))
            response.headers[queryIDHeader] = queryID
            return response
        }
        headers[.contentType] = "application/x-ndjson"
        let responseBody = ResponseBody { writer in
            var event = first
            do {
                while true {
                    switch event {
                    case .chunk(let chunk):
                        try await writer.write(chunk)
                    case .end(.success(let rows)):
                        var trailers = HTTPFields()
                        trailers[rowsTrailer] = String(rows)
                        try await writer.finish(trailers)
                        return
                    case .end(.failure(let failure)):
                        let message = (failure.error as? FunctionCallError ?? .cancelled).description
                        try await writer.write(ByteBuffer(string: "\(FunctionStream.errorLinePrefix)\(message)\n"))
                        var trailers = HTTPFields()
                        trailers[errorTrailer] = message
                        try await writer.finish(trailers)
                        return
                    }
                    event = await channel.next()
                }
            } catch {
                // The client went away: stop the call.
                await channel.close()
                call.cancel()
                throw error
            }
        }
        return Response(status: .ok, headers: headers, body: responseBody)
    }

    /// The status that fits an error found before the first result.
    static func status(_ error: FunctionCallError) -> HTTPResponse.Status {
        switch error {
        case .badInput, .wrongArgumentCount: .badRequest
        case .noReadyInstance: .serviceUnavailable
        case .batchFailed, .badResponse: .badGateway
        case .timedOut: .gatewayTimeout
        case .cancelled: .internalServerError
        }
    }

    /// `sf-context-*` request headers as context values (`CURRENT_USER`, ...), plus CURRENT_TIMESTAMP.
    static func contextValues(_ headers: HTTPFields) -> [String: String] {
        var values: [String: String] = [:]
        for field in headers {
            let name = field.name.canonicalName
            guard name.hasPrefix("sf-context-") else { continue }
            let key = name.dropFirst("sf-context-".count).uppercased().replacingOccurrences(of: "-", with: "_")
            values[key] = field.value
        }
        if values["CURRENT_TIMESTAMP"] == nil { values["CURRENT_TIMESTAMP"] = Timestamp.rfc3339(Date()) }
        return values
    }
}
