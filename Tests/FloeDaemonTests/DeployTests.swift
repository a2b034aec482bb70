import Foundation
import Testing

/// Checks the files in `deploy/` with the tools that read them.
@Suite struct DeployTests {
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy")

    static func tool(_ name: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/sbin/"].map { $0 + name }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Runs `arguments`, returning the exit status and the combined output.
    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("floe-deploy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func unitHasTheSettingsTheIssueAsksFor() throws {
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("floed.service"), encoding: .utf8)
        let settings = Set(unit.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init))
        for line in [
            "Type=notify", "NotifyAccess=main", "WatchdogSec=30s", "Restart=on-failure", "KillMode=process",
            "ExecReload=/bin/kill -HUP $MAINPID", "OOMPolicy=continue",
        ] {
            #expect(settings.contains(line), "floed.service lacks \(line)")
        }
        for absent in ["PrivateTmp=yes", "NoNewPrivileges=yes", "PrivateDevices=yes", "KillMode=control-group"] {
            #expect(!settings.contains(absent), "floed.service must not set \(absent)")
        }
    }

    /// `systemd-analyze verify` on the unit, with ExecStart pointed at a stub: verify refuses a unit
    /// whose binary is missing, and floed is not installed where the tests run.
    @Test(.enabled(if: tool("systemd-analyze") != nil)) func unitPassesSystemdAnalyzeVerify() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stub = dir.appendingPathComponent("floed")
        try Data("#!/bin/sh\nexit 0\n".utf8).write(to: stub)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stub.path)
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("floed.service"), encoding: .utf8)
        let copy = dir.appendingPathComponent("floed.service")
        try Data(unit.replacing("/usr/local/bin/floed", with: stub.path).utf8).write(to: copy)
        let (status, output) = try Self.run(try #require(Self.tool("systemd-analyze")), ["verify", copy.path])
        #expect(status == 0, "\(output)")
        #expect(!output.contains("floed.service:"), "\(output)")
    }

    @Test(.enabled(if: tool("systemd-sysusers") != nil && geteuid() == 0))
    func sysusersEntryCreatesUserAndGroup() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        let conf = Self.deploy.appendingPathComponent("floe-sysusers.conf").path
        let (status, output) = try Self.run(
            try #require(Self.tool("systemd-sysusers")), ["--root=\(root.path)", conf])
        #expect(status == 0, "\(output)")
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        let group = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        #expect(passwd.contains("floe:x:"))
        #expect(group.contains("floe:x:"))
    }

    @Test(.enabled(if: tool("systemd-tmpfiles") != nil && geteuid() == 0))
    func tmpfilesEntryCreatesTheDirectories() throws {
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let etc = root.appendingPathComponent("etc")
        try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
        try Data("root:x:0:\nfloe:x:4242:\n".utf8).write(to: etc.appendingPathComponent("group"))
        try Data("root:x:0:0::/root:/bin/sh\n".utf8).write(to: etc.appendingPathComponent("passwd"))
        let conf = Self.deploy.appendingPathComponent("floe-tmpfiles.conf").path
        let (status, output) = try Self.run(
            try #require(Self.tool("systemd-tmpfiles")), ["--root=\(root.path)", "--create", conf])
        #expect(status == 0, "\(output)")
        for path in ["run/floe", "var/lib/floe", "var/lib/floe/stage"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o750, "\(path)")
            #expect((attributes[.groupOwnerAccountID] as? Int) == 4242, "\(path)")
        }
    }

    @Test func installScriptIntoADestdirIsIdempotentAndKeepsTheConfig() throws {
        let work = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // A copy of the checkout's deploy/ with stub release binaries beside it.
        let repo = work.appendingPathComponent("repo")
        let release = repo.appendingPathComponent(".build/release")
        try FileManager.default.createDirectory(at: release, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Self.deploy, to: repo.appendingPathComponent("deploy"))
        for binary in ["floed", "floectl", "floe-monitor"] {
            let url = release.appendingPathComponent(binary)
            try Data("#!/bin/sh\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let dest = work.appendingPathComponent("dest")
        let script = repo.appendingPathComponent("deploy/install.sh").path
        let arguments = [script, "--skip-build", "--prefix", "/opt/floe", "--destdir", dest.path]

        let (first, firstOutput) = try Self.run("/bin/sh", arguments)
        #expect(first == 0, "\(firstOutput)")
        let config = dest.appendingPathComponent("etc/floe/floed.yaml")
        try Data("rescanSeconds: 5\n".utf8).write(to: config)
        let (second, secondOutput) = try Self.run("/bin/sh", arguments)
        #expect(second == 0, "\(secondOutput)")

        #expect(try String(contentsOf: config, encoding: .utf8) == "rescanSeconds: 5\n")
        let unit = try String(
            contentsOf: dest.appendingPathComponent("etc/systemd/system/floed.service"), encoding: .utf8)
        #expect(unit.contains("ExecStart=/opt/floe/bin/floed --config /etc/floe/floed.yaml"))
        for path in [
            "opt/floe/bin/floed", "opt/floe/bin/floectl", "opt/floe/bin/floe-monitor", "usr/lib/sysusers.d/floe.conf",
            "usr/lib/tmpfiles.d/floe.conf",
        ] {
            #expect(FileManager.default.fileExists(atPath: dest.appendingPathComponent(path).path), "\(path)")
        }

        let (dry, dryOutput) = try Self.run("/bin/sh", [script, "--dry-run", "--skip-build"])
        #expect(dry == 0, "\(dryOutput)")
        #expect(dryOutput.contains("+ install -m 0755"))
        let (bad, badOutput) = try Self.run("/bin/sh", [script, "--prefix", "relative"])
        #expect(bad != 0)
        #expect(badOutput.contains("absolute path"))
    }
}
