import AsyncHTTPClient
import FloeAPI
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to floed's control API on its Unix socket.
struct ControlClient {
    let socketPath: String

    /// Why a request failed, in one line the user can act on.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func get(_ path: String, timeout: Duration = .seconds(30)) async throws -> (
        status: Int, body: [UInt8], headers: [String: String]
    ) {
        try await send(.GET, path, timeout: timeout)
    }

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, timeout: Duration = .seconds(30)) async throws
        -> (status: Int, body: [UInt8], headers: [String: String])
    {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw Failure(description: "bad socket path \(socketPath)")
        }
        // AsyncHTTPClient retries failed connections until the deadline; say at once when nobody listens.
        if let problem = UnixSocketCheck.connectProblem(socketPath) {
            throw Failure(
                description:
                    "floed is not running or not reachable on \(socketPath) (\(problem)); start it (`floed` or `systemctl start floed`), or point floectl at it with --socket or FLOE_SOCKET"
            )
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(timeout.milliseconds))
            let body = try await response.body.collect(upTo: 64 << 20)
            var headers: [String: String] = [:]
            for header in response.headers { headers[header.name.lowercased()] = header.value }
            return (Int(response.status.code), Array(buffer: body), headers)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            throw Failure(description: "floed did not answer within \(timeout) on \(socketPath)")
        } catch {
            throw Failure(
                description:
                    "floed is not running or not reachable on \(socketPath) (\(error)); start it (`floed` or `systemctl start floed`), or point floectl at it with --socket or FLOE_SOCKET"
            )
        }
    }

    /// The words of an error answer: the API's `{"error": ...}`, else the body as text.
    static func errorMessage(_ body: [UInt8]) -> String {
        (try? JSONDecoder().decode(APIError.self, from: Data(body)))?.error ?? String(decoding: body, as: UTF8.self)
    }

    /// GETs `path` and decodes the JSON answer; an API error becomes a Failure with its words.
    func decode<T: Decodable>(_ type: T.Type, _ path: String, timeout: Duration = .seconds(30)) async throws -> T {
        let (status, body, _) = try await get(path, timeout: timeout)
        guard status == 200 else { throw Failure(description: Self.errorMessage(body)) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(body))
        } catch {
            throw Failure(
                description: "floed sent an answer floectl cannot read (\(error)); are both the same version?")
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }
}

/// Percent-encodes a query value.
func queryValue(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? value
}

/// Unreserved URL characters plus `$` (SPCS identifiers may contain it).
private let queryAllowed = CharacterSet(
    charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~$")
