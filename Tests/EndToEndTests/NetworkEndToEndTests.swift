import Foundation
import Testing

/// Root with iproute2 and nftables: floed can give instances their own network namespaces.
let canUseNamespaces: Bool = {
    guard geteuid() == 0 else { return false }
    let directories = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
    return ["ip", "nft"].allSatisfy { tool in
        directories.contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)") }
    }
}()

/// End-to-end: instances in their own network namespaces (floed as root, `network: namespaces`).
@Suite(
    "instance networking end to end", .serialized,
    .enabled(if: canUseNamespaces, "needs root, iproute2 and nftables (CI runs as root)"))
struct NetworkEndToEndTests {
    /// Listens on 0.0.0.0:8000 in its namespace and answers with its instance id.
    static let server = """
        import http.server, os, sys, signal
        me = os.environ.get("SNOWFLAKE_SERVICE_INSTANCE_ID", "?")
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("instance " + me + "\\n").encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        http.server.ThreadingHTTPServer(("0.0.0.0", 8000), H).serve_forever()
        """

    /// Fetches http://first-service:8000/ by the service's DNS name, and resolves its instances.
    static let client = """
        import socket, sys, time, signal, urllib.request
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        while True:
            try:
                names = sorted(socket.gethostbyname_ex("instances.first-service")[2])
                body = urllib.request.urlopen("http://first-service:8000/", timeout=2).read().decode().strip()
                print("instances:", len(names), "got:", body, flush=True)
            except Exception as error:
                print("error:", error, flush=True)
            time.sleep(0.3)
        """

    static func firstService(root: String) -> String {
        """
        service:
          minInstances: 3
          stopGraceSeconds: 5
        spec:
          containers:
          - name: web
            image: /floe/test/web:latest
            command: [python3, \(root)/server.py]
            resources:
              requests:
                cpu: 0.1
                memory: 64Mi
            readinessProbe:
              port: 8000
              path: /
          endpoints:
          - name: http
            port: 8000

        """
    }

    static func clientService(root: String) -> String {
        """
        service:
          minInstances: 1
          stopGraceSeconds: 5
        spec:
          containers:
          - name: client
            image: /floe/test/client:latest
            command: [python3, \(root)/client.py]

        """
    }

    /// A harness whose floed gives instances namespaces on `bridge` with `range`.
    func makeHarness(bridge: String, range: String) throws -> FloeHarness {
        let floe = try FloeHarness()
        let config =
            "rescanSeconds: 2\ndefaultUser: root\nnetwork: namespaces\nnetworkRange: \(range)\nnetworkBridge: \(bridge)\n"
        try config.write(toFile: floe.config, atomically: true, encoding: .utf8)
        try Self.server.write(toFile: "\(floe.root)/server.py", atomically: true, encoding: .utf8)
        try Self.client.write(toFile: "\(floe.root)/client.py", atomically: true, encoding: .utf8)
        return floe
    }

    func readyCount(_ floe: FloeHarness, _ name: String) async throws -> Int {
        try await floe.status(name).filter { $0["status"] as? String == "READY" }.count
    }

    @Test func instancesShareAPortAndServicesReachEachOtherByName() async throws {
        let floe = try makeHarness(bridge: "fte2ea", range: "10.251.1.0/24")
        try await floe.start()
        try floe.drop("first_service.yaml", Self.firstService(root: floe.root))
        try await floe.eventually("three instances on port 8000 READY") {
            try await readyCount(floe, "FIRST_SERVICE") == 3
        }
        // Each instance has its own address in the range.
        let instances = try await floe.ctl("instances", "FIRST_SERVICE", "--json")
        let rows = try JSONSerialization.jsonObject(with: Data(instances.stdout.utf8)) as? [[String: Any]] ?? []
        let addresses = Set(rows.compactMap { $0["ip_address"] as? String })
        #expect(addresses.count == 3, "\(instances.stdout)")
        #expect(addresses.allSatisfy { $0.hasPrefix("10.251.1.") }, "\(instances.stdout)")

        try floe.drop("client_service.yaml", Self.clientService(root: floe.root))
        let log = "\(floe.state)/logs/CLIENT_SERVICE/0/client.log"
        try await floe.eventually("the client reaches first-service by name") {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.contains("instances: 3 got: instance ")
        }
        await floe.tearDown()
        #expect(leftovers(bridge: "fte2ea").isEmpty)
    }

    @Test func nothingIsLeftAfterACrashRestartAndStop() async throws {
        let bridge = "fte2eb"
        let floe = try makeHarness(bridge: bridge, range: "10.251.2.0/24")
        try await floe.start()
        try floe.drop("first_service.yaml", Self.firstService(root: floe.root))
        try await floe.eventually("three instances READY") { try await readyCount(floe, "FIRST_SERVICE") == 3 }
        #expect(leftovers(bridge: bridge).filter { $0.hasPrefix("namespace") }.count == 3)
        let addresses = try await instanceAddresses(floe)
        try await floe.eventually("the records name the instances' processes") {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(floe.state)/reconciler/world.json"))
            return String(decoding: data, as: UTF8.self).components(separatedBy: "\"run\"").count == 4
        }
        let before = pids(matching: "\(floe.root)/server.py").sorted()

        await floe.stopDaemon(signal: SIGKILL)
        try await floe.start()
        try await floe.eventually("three instances READY after the restart") {
            try await readyCount(floe, "FIRST_SERVICE") == 3
        }
        // The restarted floed adopted the instances in the namespaces they had: same processes, same
        // addresses, still one namespace per instance.
        #expect(pids(matching: "\(floe.root)/server.py").sorted() == before)
        #expect(try await instanceAddresses(floe) == addresses)
        #expect(leftovers(bridge: bridge).filter { $0.hasPrefix("namespace") }.count == 3)

        await floe.tearDown()
        #expect(leftovers(bridge: bridge).isEmpty, "left: \(leftovers(bridge: bridge))")
        #expect(!run("ip -4 -o addr show").contains("10.251.2."))
    }
}

/// Runs a shell command and returns what it printed.
func run(_ command: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return "" }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// The namespaces, links and nftables table of `bridge` that exist now.
func leftovers(bridge: String) -> [String] {
    var found: [String] = []
    for line in run("ip netns list").split(separator: "\n") {
        if let name = line.split(separator: " ").first, name.hasPrefix("\(bridge)-") {
            found.append("namespace \(name)")
        }
    }
    for line in run("ip -o link show").split(separator: "\n") {
        let fields = line.split(separator: ":", maxSplits: 2)
        guard fields.count >= 2 else { continue }
        let name = fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first.map(String.init) ?? ""
        if name == bridge || name.hasPrefix("\(bridge)v") { found.append("link \(name)") }
    }
    if run("nft list tables").split(separator: "\n").contains("table inet \(bridge)") {
        found.append("table inet \(bridge)")
    }
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/etc/netns")) ?? []
    where entry.hasPrefix("\(bridge)-") {
        found.append("/etc/netns/\(entry)")
    }
    return found

}

/// Each instance's address, by instance id.
func instanceAddresses(_ floe: FloeHarness) async throws -> [String: String] {
    let instances = try await floe.ctl("instances", "FIRST_SERVICE", "--json")
    let rows = try JSONSerialization.jsonObject(with: Data(instances.stdout.utf8)) as? [[String: Any]] ?? []
    var addresses: [String: String] = [:]
    for row in rows {
        addresses[row["instance_id"] as? String ?? ""] = row["ip_address"] as? String
    }
    return addresses
}
