import Foundation
import Testing

// Nested in the serialized end-to-end suite: one floed at a time, so that no floed inherits another
// test's pipes.
extension ServiceLifecycleTests {
    /// The real floed under a stand-in for systemd: a `NOTIFY_SOCKET` the test bound, and `WATCHDOG_USEC`.
    @Suite("floed speaks sd_notify")
    struct SystemdNotifyTests {
        /// A workload that idles until SIGTERM; its command line holds the script's path, which is unique.
        static let idle = """
            import signal, sys, time
            signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
            print("idling", flush=True)
            while True:
                time.sleep(60)
            """

        static func service(root: String) -> String {
            """
            service:
              minInstances: 1
              stopGraceSeconds: 5
            spec:
              containers:
              - name: idle
                image: /floe/test/idle:latest
                command: [python3, \(root)/idle.py]

            """
        }

        @Test func readyStatusWatchdogReloadingAndStoppingArriveInOrder() async throws {
            let floe = try FloeHarness()
            defer { Task { await floe.tearDown() } }
            try Self.idle.write(toFile: "\(floe.root)/idle.py", atomically: true, encoding: .utf8)
            let listener = try NotifyListener(path: "\(floe.root)/notify.sock")
            try await floe.start(environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"])
            let pid = try #require(floe.daemonPID)

            // READY=1 after the first scan (the empty stage), then a STATUS= saying so.
            let ready = try await listener.waitFor("READY=1") { $0.notifyFields["READY"] == "1" }
            let emptyStatus = try await listener.waitFor("STATUS= with no services") {
                $0.notifyFields["STATUS"] == "no services"
            }
            let before = listener.messages
            #expect(
                !before[..<ready].contains { $0.notifyFields["STOPPING"] != nil || $0.notifyFields["RELOADING"] != nil }
            )

            // A service dropped in changes STATUS=.
            try floe.drop("idler.yaml", Self.service(root: floe.root))
            let serviceStatus = try await listener.waitFor("STATUS= with one service", from: emptyStatus + 1) {
                $0.notifyFields["STATUS"]?.hasPrefix("1 service: ") == true
            }

            // WATCHDOG=1 keeps arriving (every 200 ms is asked for; three are enough to show it repeats).
            var seen = serviceStatus
            for count in 1...3 {
                seen = try await listener.waitFor("WATCHDOG=1 number \(count)", from: seen + 1) {
                    $0.notifyFields["WATCHDOG"] == "1"
                }
            }

            // SIGHUP: RELOADING=1 with MONOTONIC_USEC, then READY=1 once the rescan was processed.
            let mark = listener.messages.count
            kill(pid, SIGHUP)
            let reloading = try await listener.waitFor("RELOADING=1", from: mark) {
                $0.notifyFields["RELOADING"] == "1"
            }
            let fields = listener.messages[reloading].notifyFields
            let usec = try #require(fields["MONOTONIC_USEC"].flatMap(UInt64.init), "\(fields)")
            #expect(usec > 0)
            #expect(!listener.messages[mark..<reloading].contains { $0.notifyFields["READY"] != nil })
            let readyAgain = try await listener.waitFor("READY=1 after RELOADING=1", from: reloading + 1) {
                $0.notifyFields["READY"] == "1"
            }

            // Stop the workload, then SIGTERM: STOPPING=1 comes, after everything before it.
            floe.remove("idler.yaml")
            try await floe.eventually("the service is gone") {
                try await floe.ctl("services", "--json").stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]"
            }
            let beforeStop = listener.messages.count
            await floe.stopDaemon()
            let stopping = try await listener.waitFor("STOPPING=1", from: beforeStop) {
                $0.notifyFields["STOPPING"] == "1"
            }
            #expect(ready < emptyStatus && emptyStatus < serviceStatus && serviceStatus < reloading)
            #expect(reloading < readyAgain && readyAgain < stopping)
            // Nothing says READY again once floed is stopping.
            #expect(!listener.messages[stopping...].contains { $0.notifyFields["READY"] != nil })
            await floe.tearDown()
        }
    }
}
