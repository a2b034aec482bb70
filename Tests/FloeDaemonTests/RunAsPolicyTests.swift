import FloeCore
import FloeRuntime
import Testing

@testable import FloeDaemon

@Suite("Who instances run as")
struct RunAsPolicyTests {
    static let accounts: [String: UserAccount] = [
        "root": UserAccount(name: "root", uid: 0, gid: 0, groups: [0]),
        "floe": UserAccount(name: "floe", uid: 990, gid: 990, groups: [990, 44]),
        "alice": UserAccount(name: "alice", uid: 1000, gid: 1000, groups: [1000]),
    ]

    static func policy(daemonUID: UInt32, defaultUser: String = "floe") -> RunAsPolicy {
        RunAsPolicy(defaultUser: defaultUser, daemonUID: daemonUID) { accounts[$0] }
    }

    @Test func asRootAnInstanceWithoutRunAsRunsAsTheDefaultUserWithItsGroups() throws {
        let identity = try Self.policy(daemonUID: 0).identity(runAs: nil).get()
        #expect(identity == UserIdentity(uid: 990, gid: 990, groups: [990, 44]))
    }

    @Test func asRootRunAsNamesTheUserAndRootMustBeAskedForByName() throws {
        #expect(try Self.policy(daemonUID: 0).identity(runAs: "alice").get()?.uid == 1000)
        #expect(
            try Self.policy(daemonUID: 0).identity(runAs: "root").get() == UserIdentity(uid: 0, gid: 0, groups: [0]))
    }

    @Test func aMissingDefaultUserIsAnErrorThatSaysHowToCreateItNeverRoot() {
        let result = Self.policy(daemonUID: 0, defaultUser: "nosuchuser").identity(runAs: nil)
        guard case .failure(let error) = result else {
            Issue.record("a missing default user must not run the instance (got \(result))")
            return
        }
        #expect(error == .noDefaultUser("nosuchuser"))
        #expect(error.description.contains("useradd --system --user-group nosuchuser"))
        #expect(error.description.contains("runAs"))
    }

    @Test func aMissingRunAsUserIsAnError() {
        let result = Self.policy(daemonUID: 0).identity(runAs: "mallory")
        #expect(throws: RunAsError.noSuchUser("mallory")) { try result.get() }
    }

    @Test func withoutRootRunAsAnotherUserIsRefusedAndTheDefaultUserIsIgnored() throws {
        let policy = Self.policy(daemonUID: 1000)
        #expect(try policy.identity(runAs: nil).get() == nil)
        #expect(try policy.identity(runAs: "alice").get() == nil)
        let result = policy.identity(runAs: "root")
        guard case .failure(.cannotSwitch("root", _)) = result else {
            Issue.record("floed as uid 1000 must refuse runAs root, got \(result)")
            return
        }
    }

    @Test func theRealDatabaseHasRootAndNobody() throws {
        let root = try #require(UserAccount.named("root"))
        #expect(root.uid == 0 && root.groups.first == 0)
        #expect(UserAccount.named("no-such-user-floe-test") == nil)
        if let nobody = UserAccount.named("nobody") {
            #expect(nobody.uid == 65534)
            #expect(nobody.groups.contains(nobody.gid))
        }
    }
}
