import AsyncHTTPClient
import FloeAPI
import Foundation
import NIOCore

extension ControlClient {
    /// How a call ended.
    struct CallResult {
        /// Why it failed (nil: every row was answered).
        var error: String?
        /// The failure was the input's fault (floed answered 400).
        var isInputError = false
        var rows = 0
    }

    /// POSTs `input` to a function route, streaming both ways, and prints each result as it arrives.
    func call(_ path: String, input: FunctionInput, printer: ResultPrinter) async throws -> CallResult {
        guard let url = URL(httpURLWithSocketPath: socketPath, uri: path) else {
            throw Failure(description: "bad socket path \(socketPath)")
        }
        if let problem = UnixSocketCheck.connectProblem(socketPath) {
            throw Failure(
                description:
                    "floed is not running or not reachable on \(socketPath) (\(problem)); start it (`floed` or `systemctl start floed`), or point floectl at it with --socket or FLOE_SOCKET"
            )
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-ndjson")
        if let user = Self.userName() { request.headers.add(name: "sf-context-current-user", value: user) }
        request.body = .stream(input, length: .unknown)
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .hours(24 * 7))
        } catch {
            throw Failure(description: "floed did not take the call on \(socketPath) (\(error))")
        }
        guard response.status.code == 200 else {
            let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array(buffer: $0) } ?? []
            return CallResult(error: Self.errorMessage(body), isInputError: response.status.code == 400)
        }
        var result = CallResult()
        var pending: [UInt8] = []
        var out = ""
        do {
            for try await chunk in response.body {
                pending.append(contentsOf: chunk.readableBytesView)
                var start = 0
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Substring(String(decoding: pending[start..<newline], as: UTF8.self))
                    start = newline + 1
                    if line.hasPrefix(FunctionStream.errorLinePrefix) {
                        result.error = String(line.dropFirst(FunctionStream.errorLinePrefix.count))
                        continue
                    }
                    out += printer.render(line)
                    out += "\n"
                    result.rows += 1
                }
                pending.removeSubrange(..<start)
                if out.utf8.count >= 64 * 1024 {
                    write(out)
                    out = ""
                }
            }
        } catch {
            write(out)
            return CallResult(error: "floed stopped answering in the middle of the call (\(error))", rows: result.rows)
        }
        write(out)
        return result
    }

    /// The user floectl runs as (sent as the CURRENT_USER context header).
    static func userName() -> String? {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }
}
