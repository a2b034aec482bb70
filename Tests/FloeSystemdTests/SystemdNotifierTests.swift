import Foundation
import Testing

@testable import FloeSystemd

@Suite struct SystemdNotifierTests {
    @Test func withoutNotifySocketEverythingIsANoOp() throws {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"])
        #expect(!notifier.isEnabled)
        #expect(notifier.socketAddress == nil)
        try notifier.ready()
        try notifier.status("1 service: 1 running")
        try notifier.reloading()
        try notifier.watchdog()
        try notifier.stopping()
    }

    @Test func lifecycleMessagesArriveInOrder() throws {
        let receiver = try DatagramReceiver()
        let notifier = SystemdNotifier(
            environment: ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "30000000"])
        #expect(notifier.isEnabled)

        try notifier.status("starting: scanning the stage")
        try notifier.ready()
        try notifier.watchdog()
        try notifier.status("4 services: 3 running, 1 pending; 1 job running; 2 files with errors")
        let beforeReload = SystemdNotifier.monotonicMicroseconds()
        try notifier.reloading()
        let afterReload = SystemdNotifier.monotonicMicroseconds()
        try notifier.ready()
        try notifier.stopping()

        #expect(try receiver.receiveText() == "STATUS=starting: scanning the stage\n")
        #expect(try receiver.receiveText() == "READY=1\n")
        #expect(try receiver.receiveText() == "WATCHDOG=1\n")
        #expect(
            try receiver.receiveText()
                == "STATUS=4 services: 3 running, 1 pending; 1 job running; 2 files with errors\n")
        let reload = try receiver.receiveText()
        let lines = reload.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let stamp = lines.last.flatMap { $0.split(separator: "=", maxSplits: 1).last }.flatMap { UInt64($0) }
        #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
        if let stamp {
            #expect(stamp >= beforeReload && stamp <= afterReload)
        } else {
            Issue.record("no MONOTONIC_USEC value in \(reload)")
        }
        #expect(try receiver.receiveText() == "READY=1\n")
        #expect(try receiver.receiveText() == "STOPPING=1\n")
        #expect(receiver.isEmpty())
    }

    @Test func abstractSocketAddressesWork() throws {
        let receiver = try DatagramReceiver(abstract: true)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        try notifier.ready()
        #expect(try receiver.receiveText() == "READY=1\n")
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsec() {
        let pid = getpid()
        #expect(SystemdNotifier(environment: [:]).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000"]).watchdogInterval == .seconds(15))
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid)"]).watchdogInterval
                == .seconds(15))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "1001"]).watchdogInterval == .microseconds(500))
        // The watchdog was asked of another process, or the value is not a number.
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(pid + 1)"])
                .watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "soon"]).watchdogInterval == nil)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "0"]).watchdogInterval == nil)
    }

    @Test func watchdogWithoutWatchdogUsecSendsNothing() throws {
        let receiver = try DatagramReceiver()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        try notifier.watchdog()
        #expect(receiver.isEmpty())
        try notifier.stopping()
        #expect(try receiver.receiveText() == "STOPPING=1\n")
    }

    @Test func statusStaysOneLineAndBadAssignmentsAreRefused() throws {
        let receiver = try DatagramReceiver()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        try notifier.status("two\nlines")
        #expect(try receiver.receiveText() == "STATUS=two lines\n")
        #expect(throws: SystemdNotifierError.self) { try notifier.notify([("ready", "1")]) }
        #expect(throws: SystemdNotifierError.self) { try notifier.notify([("STATUS", "a\nREADY=1")]) }
        #expect(receiver.isEmpty())
        try notifier.notify([("READY", "1"), ("STATUS", "ok")])
        #expect(try receiver.receiveText() == "READY=1\nSTATUS=ok\n")
        try notifier.extendTimeout(by: .seconds(5))
        #expect(try receiver.receiveText() == "EXTEND_TIMEOUT_USEC=5000000\n")
    }

    @Test func unreachableSocketThrowsInsteadOfFailingSilently() throws {
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("floe-none-\(UUID().uuidString)")
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": missing.path])
        #expect(notifier.isEnabled)
        #expect(throws: SystemdNotifierError.self) { try notifier.ready() }
        let relative = SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/sock"])
        #expect(relative.socketAddress == "relative/sock")
        #expect(throws: SystemdNotifierError.self) { try relative.ready() }
    }

    @Test func childEnvironmentDropsWhatSystemdGaveFloedAlone() {
        let environment = [
            "NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1",
            "JOURNAL_STREAM": "8:123", "PATH": "/usr/bin", "LANG": "C.UTF-8",
        ]
        #expect(SystemdNotifier.childEnvironment(from: environment) == ["PATH": "/usr/bin", "LANG": "C.UTF-8"])
    }
}

@Suite struct SystemdNotifierTransportTests {
    @Test func anExplicitEnvironmentUsesTheHandWrittenTransport() throws {
        let receiver = try DatagramReceiver()
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.address])
        #expect(!notifier.usesLibsystemd)
        #expect(notifier.isEnabled)
    }

    @Test func theProcessNotifierUsesLibsystemdExactlyWhenNotifySocketIsSet() {
        let notifier = SystemdNotifier.forThisProcess()
        let set = ProcessInfo.processInfo.environment["NOTIFY_SOCKET"].map { !$0.isEmpty } ?? false
        #expect(notifier.usesLibsystemd == set)
        #expect(notifier.isEnabled == set)
    }
}
