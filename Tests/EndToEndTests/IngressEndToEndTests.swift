import Foundation
import Testing

/// End-to-end: public endpoints reached through floed's ingress (curl as the client).
@Suite("ingress end to end", .serialized)
struct IngressEndToEndTests {
    /// Listens on argv[1]; `/` answers the instance id and the user the ingress names;
    /// `/healthz` fails while the file `<root>/unready-<id>` exists.
    static let server = """
        import http.server, os, sys, signal
        port = int(sys.argv[1])
        root = sys.argv[2]
        iid = os.environ.get("SNOWFLAKE_SERVICE_INSTANCE_ID", "0")
        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def do_GET(self):
                if self.path == "/healthz":
                    status = 503 if os.path.exists(os.path.join(root, "unready-" + iid)) else 200
                    body = b"ok"
                else:
                    status = 200
                    user = self.headers.get("Sf-Context-Current-User", "-")
                    body = ("instance %s user %s\\n" % (iid, user)).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        http.server.ThreadingHTTPServer((sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1", port), H).serve_forever()
        """

    static func service(
        root: String, port: Int, instances: Int = 1, header: String = "", bind: String = "127.0.0.1"
    ) -> String {
        """
        service:
          minInstances: \(instances)
          stopGraceSeconds: 2
        \(header)
        spec:
          containers:
          - name: web
            image: /floe/test/web:latest
            command: [python3, \(root)/ingress_server.py, "\(port)", \(root), \(bind)]
            readinessProbe:
              port: \(port)
              path: /healthz
              periodSeconds: 1
              failureThreshold: 1
          endpoints:
          - name: ui
            port: \(port)
            public: true
          - name: internal
            port: \(port + 1)

        """
    }

    /// A harness whose floed gives ingress ports from a free range (and `extraConfig`); instances share
    /// the host network unless `extraConfig` says otherwise.
    func makeHarness(extraConfig: String = "network: host\n") async throws -> (FloeHarness, ClosedRange<Int>) {
        let floe = try FloeHarness()
        try Self.server.write(toFile: "\(floe.root)/ingress_server.py", atomically: true, encoding: .utf8)
        let base = ServiceLifecycleTests.freePort()
        let range = (base + 2)...(base + 9)
        try "rescanSeconds: 2\ndefaultUser: root\ningressPorts: \(range.lowerBound)-\(range.upperBound)\n\(extraConfig)"
            .write(toFile: floe.config, atomically: true, encoding: .utf8)
        try await floe.start()
        return (floe, range)
    }

    /// `floectl endpoints NAME --json`, as name -> ingress_url.
    func ingressURLs(_ floe: FloeHarness, _ name: String) async throws -> [String: String] {
        let out = try await floe.ctl("endpoints", name, "--json")
        guard out.code == 0,
            let rows = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]]
        else { throw HarnessError.io("endpoints: \(out.stderr)") }
        var urls: [String: String] = [:]
        for row in rows { urls[row["name"] as? String ?? ""] = row["ingress_url"] as? String ?? "" }
        return urls
    }

    /// GET with curl: (status, body).
    func get(_ floe: FloeHarness, _ url: String, token: String? = nil, timeout: Int = 70) async throws -> (Int, String)
    {
        var arguments = ["-s", "--max-time", String(timeout), "-w", "\n%{http_code}", url]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let out = try await floe.run("/usr/bin/curl", arguments)
        let lines = out.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.last ?? "") ?? 0
        return (code, lines.dropLast().joined(separator: "\n"))
    }

    func waitReady(_ floe: FloeHarness, _ name: String) async throws {
        try await floe.eventually("\(name) READY") {
            let out = try await floe.ctl("wait", name, "--for", "READY", "--timeout", "2")
            return out.code == 0
        }
    }

    @Test("a public endpoint is served through the ingress; a non-public one gets no URL; 503 when none is READY")
    func publicEndpoint() async throws {
        let (floe, range) = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = ServiceLifecycleTests.freePort()
        try floe.drop("web_app.yaml", Self.service(root: floe.root, port: port))
        try await waitReady(floe, "web_app")
        var urls: [String: String] = [:]
        try await floe.eventually("an ingress URL for ui") {
            urls = try await ingressURLs(floe, "web_app")
            return !(urls["ui"] ?? "").isEmpty
        }
        let url = try #require(urls["ui"])
        #expect(url.hasPrefix("http://127.0.0.1:"))
        #expect(range.contains(Int(url.split(separator: ":").last ?? "") ?? 0))
        #expect(urls["internal"] == "")
        let table = try await floe.ctl("endpoints", "web_app")
        #expect(table.stdout.contains("ingress_url") && table.stdout.contains(url))

        let (code, body) = try await get(floe, url + "/")
        #expect(code == 200)
        #expect(body.contains("instance 0 user -"))

        // Readiness fails: the instance gets no request, the ingress answers 503 and says why.
        #expect(FileManager.default.createFile(atPath: "\(floe.root)/unready-0", contents: nil))
        try await floe.eventually("the instance is not READY") {
            try await floe.status("web_app").first?["status"] as? String != "READY"
        }
        let (unavailable, explanation) = try await get(floe, url + "/")
        #expect(unavailable == 503)
        #expect(explanation.contains("No READY instance of WEB_APP"))
        unlink("\(floe.root)/unready-0")
        try await floe.eventually("served again") { try await get(floe, url + "/").0 == 200 }
        // The service goes: so does its listener (curl reports no HTTP status at all).
        floe.remove("web_app.yaml")
        try await floe.eventually("the listener closed") { try await get(floe, url + "/", timeout: 5).0 == 0 }
        await floe.tearDown()
    }

    @Test("a suspended service is resumed by a request, which waits for it")
    func suspendResume() async throws {
        let (floe, _) = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = ServiceLifecycleTests.freePort()
        try floe.drop("sleepy.yaml", Self.service(root: floe.root, port: port))
        try await waitReady(floe, "sleepy")
        var url = ""
        try await floe.eventually("an ingress URL") {
            url = try await ingressURLs(floe, "sleepy")["ui"] ?? ""
            return !url.isEmpty
        }
        let suspend = try await floe.ctl("suspend", "sleepy")
        #expect(suspend.code == 0, "\(suspend.stderr)")
        try await floe.eventually("SUSPENDED") {
            let out = try await floe.ctl("describe", "sleepy", "--json")
            return out.stdout.contains("\"SUSPENDED\"")
        }
        #expect(try await floe.status("sleepy").isEmpty)
        let (code, body) = try await get(floe, url + "/")
        #expect(code == 200, "the request should have resumed the service: \(body)")
        #expect(body.contains("instance 0"))
        let describe = try await floe.ctl("describe", "sleepy", "--json")
        #expect(describe.stdout.contains("\"RUNNING\""))
        #expect(describe.stdout.contains("\"resumed_on\""))
        // floectl resume on a running service changes nothing.
        let resume = try await floe.ctl("resume", "sleepy")
        #expect(resume.code == 0)
        #expect(resume.stdout.contains("RUNNING"))
        await floe.tearDown()
    }

    @Test("autoSuspendSecs suspends an idle service; with autoResume false a request gets 503 until floectl resume")
    func autoSuspendAndNoAutoResume() async throws {
        let (floe, _) = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = ServiceLifecycleTests.freePort()
        try floe.drop(
            "idle_one.yaml",
            Self.service(root: floe.root, port: port, header: "  autoSuspendSecs: 2\n  autoResume: false"))
        var url = ""
        try await floe.eventually("an ingress URL") {
            url = try await ingressURLs(floe, "idle_one")["ui"] ?? ""
            return !url.isEmpty
        }
        try await floe.eventually("suspended after 2 s without traffic") {
            let out = try await floe.ctl("describe", "idle_one", "--json")
            return out.stdout.contains("\"SUSPENDED\"")
        }
        let (code, body) = try await get(floe, url + "/")
        #expect(code == 503)
        #expect(body.contains("autoResume is false") && body.contains("floectl resume IDLE_ONE"))
        #expect(try await floe.ctl("resume", "idle_one").code == 0)
        try await floe.eventually("served after floectl resume") { try await get(floe, url + "/").0 == 200 }
        await floe.tearDown()
    }

    @Test("bound to a non-loopback address, the ingress wants a token; the service sees its user")
    func tokens() async throws {
        let (floe, _) = try await makeHarness(extraConfig: "network: host\ningressAddress: 0.0.0.0\n")
        defer { Task { await floe.tearDown() } }
        let port = ServiceLifecycleTests.freePort()
        try floe.drop("guarded.yaml", Self.service(root: floe.root, port: port))
        try await waitReady(floe, "guarded")
        var url = ""
        try await floe.eventually("an ingress URL") {
            url = try await ingressURLs(floe, "guarded")["ui"] ?? ""
            return !url.isEmpty
        }
        let local = "http://127.0.0.1:" + (url.split(separator: ":").last ?? "")
        let created = try await floe.ctl("token", "create", "ci", "--user", "alice")
        #expect(created.code == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("floe_"))
        let (without, why) = try await get(floe, local + "/")
        #expect(without == 401)
        #expect(why.contains("Authorization: Bearer"))
        let (with, body) = try await get(floe, local + "/", token: token)
        #expect(with == 200)
        #expect(body.contains("user alice"))
        let list = try await floe.ctl("token", "list")
        #expect(list.stdout.contains("ci") && list.stdout.contains("alice") && !list.stdout.contains(token))
        let stored = try String(contentsOfFile: "\(floe.state)/ingress/tokens.json", encoding: .utf8)
        #expect(!stored.contains(token), "the token itself must not be stored")
        var info = stat()
        stat("\(floe.state)/ingress/tokens.json", &info)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(try await floe.ctl("token", "revoke", "ci").code == 0)
        #expect(try await get(floe, local + "/", token: token).0 == 401)
        await floe.tearDown()
    }

    @Test("an allocated ingress port is kept across a floed restart; ingressPort fixes it")
    func portKept() async throws {
        let (floe, range) = try await makeHarness()
        defer { Task { await floe.tearDown() } }
        let port = ServiceLifecycleTests.freePort()
        let fixed = range.upperBound
        try floe.drop("keeper.yaml", Self.service(root: floe.root, port: port))
        try floe.drop(
            "fixed_port.yaml", Self.service(root: floe.root, port: port + 10, header: "  ingressPort: \(fixed)"))
        var first = ""
        try await floe.eventually("ingress URLs") {
            first = try await ingressURLs(floe, "keeper")["ui"] ?? ""
            let fixedURL = try await ingressURLs(floe, "fixed_port")["ui"] ?? ""
            return !first.isEmpty && !fixedURL.isEmpty
        }
        #expect(try await ingressURLs(floe, "fixed_port")["ui"] == "http://127.0.0.1:\(fixed)")
        await floe.stopDaemon()
        try await floe.start()
        try await waitReady(floe, "keeper")
        var again = ""
        try await floe.eventually("the ingress URL after the restart") {
            again = try await ingressURLs(floe, "keeper")["ui"] ?? ""
            return !again.isEmpty
        }
        #expect(again == first)
        try await floe.eventually("served after the restart") { try await get(floe, again + "/").0 == 200 }
        await floe.tearDown()
    }

    @Test(
        "two READY instances on one port share the load; one whose readiness fails is skipped",
        .enabled(if: FloeHarness.namespacesAvailable, "needs network namespaces (root, ip, nft)"))
    func spread() async throws {
        let (floe, _) = try await makeHarness(
            extraConfig: "network: namespaces\nnetworkRange: 10.251.4.0/24\nnetworkBridge: fte2ed\n")
        defer { Task { await floe.tearDown() } }
        try floe.drop("pair.yaml", Self.service(root: floe.root, port: 8000, instances: 2, bind: "0.0.0.0"))
        try await floe.eventually("both instances READY", timeout: .seconds(60)) {
            try await floe.status("pair").filter { $0["status"] as? String == "READY" }.count == 2
        }
        var url = ""
        try await floe.eventually("an ingress URL") {
            url = try await ingressURLs(floe, "pair")["ui"] ?? ""
            return !url.isEmpty
        }
        var seen = Set<String>()
        for _ in 0..<10 {
            let (_, body) = try await get(floe, url + "/")
            seen.insert(String(body.prefix(10)))
        }
        #expect(seen == ["instance 0", "instance 1"])
        #expect(FileManager.default.createFile(atPath: "\(floe.root)/unready-1", contents: nil))
        try await floe.eventually("instance 1 not READY") {
            try await floe.status("pair").contains {
                $0["instanceId"] as? String == "1" && $0["status"] as? String != "READY"
            }
        }
        for _ in 0..<6 {
            let (code, body) = try await get(floe, url + "/")
            #expect(code == 200 && body.hasPrefix("instance 0"))
        }
        await floe.tearDown()
    }
}
