import Foundation
import Testing

@testable import FloeDaemon

@Suite struct StageGuardTests {
    let rootGuard = StageGuard(daemonUserID: 0, daemonUserName: "root")
    let withGroup = StageGuard(
        daemonUserID: 0, daemonUserName: "root", allowedGroup: StageGuard.AllowedGroup(name: "stagers", id: 600))
    let userGuard = StageGuard(daemonUserID: 1000, daemonUserName: "ann")

    private func status(_ uid: UInt32, _ gid: UInt32, _ mode: UInt32, directory: Bool = false) -> FileStatus {
        FileStatus(ownerID: uid, groupID: gid, permissions: mode, isDirectory: directory)
    }

    @Test func rootOwnedAndNotWritableByOthersIsAccepted() {
        #expect(
            rootGuard.problems(at: "/s", status: status(0, 0, 0o755, directory: true), role: .stageDirectory).isEmpty)
        #expect(rootGuard.problems(at: "/s/a.yaml", status: status(0, 0, 0o644), role: .specFile).isEmpty)
        #expect(rootGuard.problems(at: "/s/a.yaml", status: status(0, 600, 0o640), role: .specFile).isEmpty)
        #expect(userGuard.problems(at: "/s/a.yaml", status: status(1000, 1000, 0o600), role: .specFile).isEmpty)
        #expect(userGuard.problems(at: "/s/a.yaml", status: status(0, 0, 0o644), role: .specFile).isEmpty)
    }

    @Test func anotherOwnerIsRefusedWithAChown() {
        let problems = rootGuard.problems(
            at: "/var/lib/floe/stage/web.yaml", status: status(1000, 1000, 0o644), role: .specFile, ownerName: "mallory"
        )
        #expect(problems.map(\.kind) == [.untrustedOwner])
        #expect(problems.first?.message.contains("mallory (uid 1000)") == true)
        #expect(problems.first?.fix == "`chown root: /var/lib/floe/stage/web.yaml`")
        let user = userGuard.problems(
            at: "/s", status: status(1001, 1001, 0o755, directory: true), role: .stageDirectory)
        #expect(user.first?.fix == "`chown ann: /s`")
        #expect(user.first?.message.contains("only root or ann may own it") == true)
    }

    @Test func worldWritableIsAlwaysRefused() {
        for role in [StageGuard.Role.stageDirectory, .specFile] {
            let problems = withGroup.problems(at: "/s", status: status(0, 600, 0o777, directory: true), role: role)
            #expect(problems.map(\.kind) == [.writableByOthers])
            // The group is allowed here, so only others lose write access.
            #expect(problems.first?.fix == "`chmod o-w /s`")
        }
        // Sticky does not excuse the stage itself: anyone could still add a spec file.
        let sticky = rootGuard.problems(at: "/s", status: status(0, 0, 0o1777, directory: true), role: .stageDirectory)
        #expect(sticky.map(\.kind) == [.writableByOthers])
        #expect(sticky.first?.fix == "`chmod go-w /s`")
    }

    @Test func groupWritableOnlyForTheAllowedGroup() {
        let refused = rootGuard.problems(
            at: "/s", status: status(0, 600, 0o775, directory: true), role: .stageDirectory)
        #expect(refused.map(\.kind) == [.writableByGroup])
        #expect(refused.first?.fix.hasPrefix("`chmod g-w /s`, or set allowStageGroup") == true)
        #expect(
            withGroup.problems(at: "/s", status: status(0, 600, 0o2775, directory: true), role: .stageDirectory).isEmpty
        )
        let wrongGroup = withGroup.problems(at: "/s/x.yaml", status: status(0, 601, 0o664), role: .specFile)
        #expect(wrongGroup.map(\.kind) == [.writableByGroup])
        #expect(
            wrongGroup.first?.fix
                == "`chmod g-w /s/x.yaml`, or `chgrp stagers /s/x.yaml` if group stagers should write it")
    }

    @Test func membersOfTheAllowedGroupMayOwnSpecFilesButNotTheStage() {
        #expect(withGroup.problems(at: "/s/x.yaml", status: status(1000, 600, 0o664), role: .specFile).isEmpty)
        #expect(rootGuard.problems(at: "/s/x.yaml", status: status(1000, 600, 0o664), role: .specFile).count == 2)
        let stage = withGroup.problems(
            at: "/s", status: status(1000, 600, 0o2775, directory: true), role: .stageDirectory)
        #expect(stage.map(\.kind) == [.untrustedOwner])
    }

    @Test func ancestorsMayBeStickyButNotOpen() {
        #expect(rootGuard.problems(at: "/tmp", status: status(0, 0, 0o1777, directory: true), role: .ancestor).isEmpty)
        #expect(rootGuard.problems(at: "/var", status: status(0, 0, 0o755, directory: true), role: .ancestor).isEmpty)
        let open = rootGuard.problems(at: "/srv", status: status(0, 0, 0o777, directory: true), role: .ancestor)
        #expect(open.map(\.kind) == [.writableByOthers])
        let foreign = rootGuard.problems(
            at: "/home/eve", status: status(1002, 1002, 0o755, directory: true), role: .ancestor)
        #expect(foreign.map(\.kind) == [.untrustedOwner])
    }

    @Test func fixesQuoteAwkwardPaths() {
        let problems = rootGuard.problems(at: "/s/it's here.yaml", status: status(0, 0, 0o666), role: .specFile)
        #expect(problems.first?.fix == #"`chmod go-w '/s/it'\''s here.yaml'`"#)
    }

    @Test func realFilesAreChecked() throws {
        let fm = FileManager.default
        let stage = fm.temporaryDirectory.appendingPathComponent("floe-guard-\(UUID().uuidString)")
        try fm.createDirectory(at: stage, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: stage) }
        let file = stage.appendingPathComponent("svc.yaml")
        try Data("spec: {}\n".utf8).write(to: file)
        let guardian = StageGuard(daemonUserID: UInt32(geteuid()), daemonUserName: "me")

        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stage.path)
        try fm.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let ancestorsOK = guardian.checkStage(directory: stage.path).filter { $0.path == stage.path }
        #expect(ancestorsOK.isEmpty)
        #expect(guardian.checkSpecFile(file.path).isEmpty)

        try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: stage.path)
        try fm.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file.path)
        #expect(
            guardian.checkStage(directory: stage.path).contains {
                $0.path == stage.path && $0.kind == .writableByOthers
            })
        #expect(guardian.checkSpecFile(file.path).map(\.kind) == [.writableByOthers])

        // A symbolic link is judged by the file it names.
        let link = stage.appendingPathComponent("link.yaml")
        try fm.createSymbolicLink(at: link, withDestinationURL: file)
        #expect(guardian.checkSpecFile(link.path).map(\.kind) == [.writableByOthers])

        let missing = guardian.checkStage(directory: stage.appendingPathComponent("none").path)
        #expect(missing.first?.kind == .cannotCheck)
        #expect(missing.first?.fix.contains("mkdir -p") == true)
    }

    @Test func ancestorsOfTheStageAreWalkedToTheRoot() throws {
        let fm = FileManager.default
        let top = fm.temporaryDirectory.appendingPathComponent("floe-guard-\(UUID().uuidString)")
        let stage = top.appendingPathComponent("a/stage")
        try fm.createDirectory(at: stage, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: top) }
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: stage.path)
        try fm.setAttributes([.posixPermissions: 0o777], ofItemAtPath: top.appendingPathComponent("a").path)
        let guardian = StageGuard(daemonUserID: UInt32(geteuid()), daemonUserName: "me")
        let problems = guardian.checkStage(directory: stage.path + "/")
        #expect(problems.filter { $0.path == top.appendingPathComponent("a").path }.count == 1)
        #expect(problems.contains { $0.path == top.appendingPathComponent("a").path && $0.kind == .writableByOthers })
        #expect(!problems.contains { $0.path == stage.path })
    }

    @Test func unknownAllowedGroupIsAConfigurationProblem() {
        #expect(throws: StageProblem.self) {
            try StageGuard.forCurrentProcess(allowStageGroup: "no-such-group-\(UInt32.random(in: 0...99999))")
        }
        #expect(throws: Never.self) { try StageGuard.forCurrentProcess(allowStageGroup: nil) }
    }
}
