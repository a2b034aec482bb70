import NIOHTTP1

/// Header rewriting of a forwarding proxy (RFC 9110 §7.6): hop-by-hop fields are dropped, the
/// `X-Forwarded-*` fields and the user context are set.
enum ProxyHeaders {
    /// Fields that belong to one connection, never forwarded (RFC 9110 §7.6.1, plus the
    /// non-standard `Proxy-Connection` and `Keep-Alive`).
    static let hopByHop: Set<String> = [
        "connection", "proxy-connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// The header SPCS uses to tell a service who calls it.
    static let currentUser = "Sf-Context-Current-User"

    /// `headers` without hop-by-hop fields and without the fields the `Connection` field names.
    static func endToEnd(_ headers: HTTPHeaders) -> HTTPHeaders {
        var named = hopByHop
        for value in headers[canonicalForm: "connection"] {
            named.insert(trimmed(value.lowercased()))
        }
        var result = HTTPHeaders()
        for (name, value) in headers where !named.contains(name.lowercased()) {
            result.add(name: name, value: value)
        }
        return result
    }

    /// `text` without leading and trailing spaces and tabs.
    static func trimmed(_ text: String) -> String {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(text[first...last])
    }

    /// True when the request asks to switch to the WebSocket protocol.
    static func isWebSocketUpgrade(_ head: HTTPRequestHead) -> Bool {
        let connection = head.headers[canonicalForm: "connection"].map { $0.lowercased() }
        let upgrade = head.headers["upgrade"].first?.lowercased() ?? ""
        return connection.contains("upgrade") && upgrade.contains("websocket")
    }

    /// The token of an `Authorization: Bearer TOKEN` field.
    static func bearerToken(_ headers: HTTPHeaders) -> String? {
        guard let value = headers["authorization"].first else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = trimmed(String(parts[1]))
        return token.isEmpty ? nil : token
    }

    /// The request head sent to the instance.
    /// - Parameters:
    ///   - client: the client's address, appended to `X-Forwarded-For`.
    ///   - user: the token's user, sent as `Sf-Context-Current-User` (a client's own is removed).
    ///   - dropAuthorization: true when the `Authorization` field held floe's token, which the
    ///     service must not see.
    static func upstreamRequest(
        _ head: HTTPRequestHead, client: String?, user: String?, dropAuthorization: Bool
    ) -> HTTPRequestHead {
        var headers = endToEnd(head.headers)
        headers.remove(name: currentUser)
        if dropAuthorization { headers.remove(name: "authorization") }
        if head.headers.contains(name: "transfer-encoding") {
            // The body is re-framed on the way out (NIO's encoder chunks it).
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
        }
        if isWebSocketUpgrade(head) {
            headers.replaceOrAdd(name: "connection", value: "Upgrade")
            headers.replaceOrAdd(name: "upgrade", value: head.headers["upgrade"].first ?? "websocket")
        }
        if let client {
            let previous = head.headers["x-forwarded-for"].joined(separator: ", ")
            headers.replaceOrAdd(name: "X-Forwarded-For", value: previous.isEmpty ? client : "\(previous), \(client)")
        }
        headers.replaceOrAdd(name: "X-Forwarded-Proto", value: "http")
        if let host = head.headers["host"].first {
            headers.replaceOrAdd(name: "X-Forwarded-Host", value: host)
        }
        if let user { headers.replaceOrAdd(name: currentUser, value: user) }
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
    }

    /// The response head sent to the client.
    static func downstreamResponse(_ head: HTTPResponseHead, keepAlive: Bool, clientVersion: HTTPVersion)
        -> HTTPResponseHead
    {
        var headers = endToEnd(head.headers)
        if !keepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if clientVersion == .http1_0 {
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: clientVersion, status: head.status, headers: headers)
    }
}
