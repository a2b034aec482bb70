import Testing

@testable import FloeDaemon

@Suite("Stage registry")
struct StageRegistryTests {
    /// The registry finds images the way the stage checker matches them, digests included.
    @Test func imageReferencesAreMatchedLikeTheStageChecker() {
        #expect(StageRegistry.normalise("/db/schema/repo/app") == "/db/schema/repo/app:latest")
        #expect(StageRegistry.normalise("/db/schema/repo/app:v2") == "/db/schema/repo/app:v2")
        #expect(StageRegistry.normalise("/db/schema/repo/app@sha256:ab12") == "/db/schema/repo/app@sha256:ab12")
        #expect(StageRegistry.normalise("registry:5000/repo/app") == "registry:5000/repo/app:latest")
    }
}
