import Testing

@testable import FloeDaemon

@Suite struct PendingReloadsTests {
    @Test func aRescanFinishesAReloadOnlyWhenOneWasAskedFor() {
        let reloads = PendingReloads()
        #expect(!reloads.finish())
        reloads.begin()
        #expect(reloads.finish())
        #expect(!reloads.finish())
    }

    @Test func oneRescanFinishesEveryPendingReload() {
        let reloads = PendingReloads()
        reloads.begin()
        reloads.begin()
        #expect(reloads.finish())
        #expect(!reloads.finish())
    }
}
