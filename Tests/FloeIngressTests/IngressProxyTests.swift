import FloeIngress
import Foundation
import Synchronization
import Testing

/// A backend source the tests change as they go.
final class FixedSource: IngressBackendSource {
    let state: Mutex<IngressResolution>
    init(_ resolution: IngressResolution) { state = Mutex(resolution) }
    func set(_ resolution: IngressResolution) { state.withLock { $0 = resolution } }
    func resolve(_ route: IngressRoute) async -> IngressResolution { state.withLock { $0 } }
}

/// Tokens for the tests: `good` belongs to `alice`.
struct TestTokens: IngressTokenVerifier {
    func user(forToken token: String) -> String? { token == "good" ? "alice" : nil }
}

@Suite("Ingress proxy over real sockets", .serialized)
struct IngressProxyTests {
    static let route = IngressRoute(service: "SVC", endpoint: "web")

    static func backend(_ upstream: TestUpstream) -> IngressBackend {
        IngressBackend(host: "127.0.0.1", port: upstream.port, label: upstream.name)
    }

    static func start(_ source: FixedSource, requireToken: Bool = false) async throws -> IngressServer {
        try await IngressServer.start(
            route: route, configuration: IngressConfiguration(port: 0, requireToken: requireToken), source: source,
            verifier: TestTokens())
    }

    @Test("keep-alive on both sides: one client connection, one instance connection for many requests")
    func keepAlive() async throws {
        let a = try TestUpstream(name: "A")
        defer { a.stop() }
        let server = try await Self.start(FixedSource(.ready([Self.backend(a)])))
        let client = try TestClient(port: server.port)
        var clientPorts = Set<String>()
        for _ in 0..<5 {
            let response = try await client.request("GET", "/who")
            #expect(response.status == 200)
            let words = response.text.split(separator: " ")
            #expect(words.first == "A")
            clientPorts.insert(String(words.last ?? ""))
        }
        #expect(clientPorts.count == 1, "the ingress opened a new instance connection per request: \(clientPorts)")
        await server.close()
    }

    @Test("requests are spread over the READY backends; one taken away gets no new request")
    func spreadAndSkip() async throws {
        let a = try TestUpstream(name: "A")
        let b = try TestUpstream(name: "B")
        defer {
            a.stop()
            b.stop()
        }
        let source = FixedSource(.ready([Self.backend(a), Self.backend(b)]))
        let server = try await Self.start(source)
        let client = try TestClient(port: server.port)
        var seen: [String: Int] = [:]
        for _ in 0..<10 {
            let response = try await client.request("GET", "/who")
            seen[String(response.text.split(separator: " ")[0]), default: 0] += 1
        }
        #expect(seen["A"] == 5 && seen["B"] == 5, "round-robin expected, got \(seen)")
        source.set(.ready([Self.backend(a)]))
        for _ in 0..<6 {
            let response = try await client.request("GET", "/who")
            #expect(response.text.hasPrefix("A "), "a request went to an instance that is not READY")
        }
        await server.close()
    }

    @Test("no READY instance: 503 with the source's explanation; an unreachable one is skipped")
    func unavailable() async throws {
        let a = try TestUpstream(name: "A")
        defer { a.stop() }
        let source = FixedSource(.unavailable("No READY instance of SVC (service status PENDING)."))
        let server = try await Self.start(source)
        let client = try TestClient(port: server.port)
        let response = try await client.request("GET", "/who")
        #expect(response.status == 503)
        #expect(response.text.contains("service status PENDING"))
        // A dead port first: the request goes to the next backend.
        source.set(.ready([IngressBackend(host: "127.0.0.1", port: 1, label: "dead"), Self.backend(a)]))
        for _ in 0..<2 {
            let next = try await client.request("GET", "/who")
            #expect(next.status == 200)
            #expect(next.text.hasPrefix("A "))
        }
        await server.close()
    }

    @Test("request and response bodies stream through (chunked upload, large download)")
    func streaming() async throws {
        let a = try TestUpstream(name: "A")
        defer { a.stop() }
        let server = try await Self.start(FixedSource(.ready([Self.backend(a)])))
        let client = try TestClient(port: server.port)
        // 4 MiB upload in chunks, echoed back.
        let piece = [UInt8]((0..<65536).map { UInt8($0 % 251) })
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<64 {
            try await client.send(Array("10000\r\n".utf8) + piece + Array("\r\n".utf8))
        }
        try await client.send("0\r\n\r\n")
        let echoed = try await client.readResponse()
        #expect(echoed.status == 200)
        #expect(echoed.body.count == 64 * 65536)
        #expect(echoed.body.prefix(65536).elementsEqual(piece))
        // 16 MiB download, chunked by the instance.
        let big = try await client.request("GET", "/big?n=16384")
        #expect(big.status == 200)
        #expect(big.body.count == 16384 * 1024)
        // A Content-Length body on the same connection.
        let small = try await client.request("POST", "/echo", body: Array("hello".utf8))
        #expect(small.text == "hello")
        await server.close()
    }

    @Test("Expect: 100-continue: the instance's 100 reaches the client before it sends the body")
    func expectContinue() async throws {
        let a = try TestUpstream(name: "A")
        defer { a.stop() }
        let server = try await Self.start(FixedSource(.ready([Self.backend(a)])))
        let client = try TestClient(port: server.port)
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let (status, _) = try await client.readHead()
        #expect(status == 100)
        try await client.send("hello")
        let response = try await client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello")
        await server.close()
    }

    @Test("WebSocket upgrade: the 101 is passed on, then bytes flow both ways")
    func webSocket() async throws {
        let a = try TestUpstream(name: "A")
        defer { a.stop() }
        let server = try await Self.start(FixedSource(.ready([Self.backend(a)])))
        let client = try TestClient(port: server.port)
        try await client.send(
            "GET /ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        let (status, headers) = try await client.readHead()
        #expect(status == 101)
        #expect(headers["upgrade"]?.lowercased() == "websocket")
        try await client.send("hello relay")
        #expect(String(decoding: try await client.readBytes(11), as: UTF8.self) == "HELLO RELAY")
        // More than the socket buffers hold: sent and read at once, so back-pressure must let both flow.
        let many = [UInt8](repeating: UInt8(ascii: "q"), count: 2_000_000)
        async let sent: Void = client.send(many)
        let echoed = try await client.readBytes(many.count)
        try await sent
        #expect(echoed.allSatisfy { $0 == UInt8(ascii: "Q") })
        await server.close()
    }

    @Test("headers: hop-by-hop dropped, X-Forwarded-* set, the user from the token, a client's user header removed")
    func headers() async throws {
        let a = try TestUpstream(name: "A")
        defer { a.stop() }
        let server = try await Self.start(FixedSource(.ready([Self.backend(a)])))
        let client = try TestClient(port: server.port)
        let response = try await client.request(
            "GET", "/headers",
            headers: [
                ("Authorization", "Bearer good"), ("Sf-Context-Current-User", "mallory"), ("Keep-Alive", "timeout=5"),
                ("Connection", "keep-alive, X-Private"), ("X-Private", "secret"), ("X-Forwarded-For", "10.0.0.9"),
            ])
        #expect(response.status == 200)
        let seen = try JSONDecoder().decode([String: String].self, from: Data(response.body))
        #expect(seen["sf-context-current-user"] == "alice")
        #expect(seen["authorization"] == nil, "floe's token must not reach the service")
        #expect(seen["keep-alive"] == nil)
        #expect(seen["x-private"] == nil, "a field named in Connection is hop-by-hop")
        #expect(seen["x-forwarded-for"] == "10.0.0.9, 127.0.0.1")
        #expect(seen["x-forwarded-proto"] == "http")
        #expect(seen["x-forwarded-host"] == "test.local")
        // Without a token, no user at all (the client's own header is still removed).
        let anonymous = try await client.request("GET", "/headers", headers: [("Sf-Context-Current-User", "mallory")])
        let plain = try JSONDecoder().decode([String: String].self, from: Data(anonymous.body))
        #expect(plain["sf-context-current-user"] == nil)
        await server.close()
    }

    @Test("a listener that requires a token answers 401 without a valid one")
    func tokenRequired() async throws {
        let a = try TestUpstream(name: "A")
        defer { a.stop() }
        let server = try await Self.start(FixedSource(.ready([Self.backend(a)])), requireToken: true)
        let client = try TestClient(port: server.port)
        let missing = try await client.request("GET", "/who")
        #expect(missing.status == 401)
        #expect(missing.text.contains("Authorization: Bearer"))
        let wrong = try await client.request("GET", "/who", headers: [("Authorization", "Bearer nope")])
        #expect(wrong.status == 401)
        let good = try await client.request("GET", "/who", headers: [("Authorization", "Bearer good")])
        #expect(good.status == 200)
        await server.close()
    }
}
