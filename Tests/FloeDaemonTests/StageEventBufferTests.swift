import Testing

@testable import FloeDaemon

@Suite("Stage event buffer")
struct StageEventBufferTests {
    @Test func consecutiveChangesAreMergedAndRescansKeepTheirPlace() {
        let snapshot = StageSnapshot(reason: .periodic, files: [:], changed: [])
        let merged = StageEventBuffer.merge([
            .changed(["a.yaml"]), .changed(["b.yaml"]), .changed(["a.yaml", "c.yaml"]), .rescan(snapshot),
            .changed(["d.yaml"]),
        ])
        #expect(merged == [.changed(["a.yaml", "b.yaml", "c.yaml"]), .rescan(snapshot), .changed(["d.yaml"])])
    }

    /// Events that arrive while the reconciler is busy are taken in one batch.
    @Test func eventsWaitingAreTakenAtOnce() async {
        let buffer = StageEventBuffer()
        for index in 0..<100 { buffer.append(.changed(["s\(index).yaml"])) }
        let batch = await buffer.next()
        #expect(batch == [.changed(Set((0..<100).map { "s\($0).yaml" }))])
        buffer.finish()
        #expect(await buffer.next() == nil)
    }

    /// A waiting consumer is woken by the next event, and by the end.
    @Test func aWaitingConsumerIsWoken() async {
        let buffer = StageEventBuffer()
        async let first = buffer.next()
        try? await Task.sleep(for: .milliseconds(20))
        buffer.append(.changed(["a.yaml"]))
        #expect(await first == [.changed(["a.yaml"])])
        async let end = buffer.next()
        try? await Task.sleep(for: .milliseconds(20))
        buffer.finish()
        #expect(await end == nil)
    }
}
