import Foundation
import Testing

@testable import FloeDaemon

@Suite("Who may use the control socket")
struct SocketAccessPolicyTests {
    /// floed runs as uid 500; group floe is 900; user 1001 is in it as a supplementary group.
    static let policy = SocketAccessPolicy(daemonUID: 500, groupName: "floe", groupID: 900) { uid, gid in
        uid == 1001 ? [gid, 900] : [gid]
    }

    @Test func rootAndFloedsOwnUserGetIn() {
        #expect(Self.policy.refusal(uid: 0, gid: 0) == nil)
        #expect(Self.policy.refusal(uid: 500, gid: 500) == nil)
    }

    @Test func membersOfTheGroupGetInByPrimaryOrSupplementaryGroup() {
        #expect(Self.policy.refusal(uid: 1002, gid: 900) == nil)
        #expect(Self.policy.refusal(uid: 1001, gid: 1001) == nil)
    }

    @Test func anyoneElseIsRefusedWithWordsThatSayHowToGetIn() throws {
        let refusal = try #require(Self.policy.refusal(uid: 65534, gid: 65534))
        #expect(refusal.contains("access denied"))
        #expect(refusal.contains("usermod -aG floe"))
    }

    @Test func withoutTheGroupOnlyRootAndFloedGetIn() throws {
        let policy = SocketAccessPolicy(daemonUID: 500, groupName: "floe", groupID: nil) { _, gid in [gid, 900] }
        #expect(policy.refusal(uid: 0, gid: 0) == nil)
        let refusal = try #require(policy.refusal(uid: 1001, gid: 900))
        #expect(refusal.contains("groupadd --system floe"))
    }

    @Test func theRefusalIsValidJSON() throws {
        let text = PeerAccessHandler.jsonError("a \"quoted\" \\ word\nnext")
        let decoded = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        #expect(decoded["error"] == "a \"quoted\" \\ word\nnext")
    }
}
