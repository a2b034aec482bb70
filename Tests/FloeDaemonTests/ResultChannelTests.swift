import NIOCore
import Testing

@testable import FloeDaemon

/// The hand-over between a running function call and its HTTP answer.
struct ResultChannelTests {
    /// A client that sends its whole body before reading (Python's http.client) needs floed to hold
    /// the answers meanwhile: hundreds of chunks must go in without a reader.
    @Test func manyChunksWaitWithoutAReader() async throws {
        let channel = ResultChannel()
        let sent = Task {
            for i in 0..<500 { try await channel.send(ByteBuffer(string: "\"row \(i)\"\n")) }
            return true
        }
        // A guard against a hang (not a timing check): the sends finish long before this.
        let watchdog = Task {
            guard (try? await Task.sleep(for: .seconds(60))) != nil else { return }
            await channel.close()
        }
        let finished = (try? await sent.value) ?? false
        watchdog.cancel()
        #expect(finished, "the sender waited for a reader")
        await channel.finish(.success(500))
        var rows = 0
        while case .chunk = await channel.next() { rows += 1 }
        #expect(rows == 500)
    }

    /// Past the byte budget the call waits until the reader takes something.
    @Test func theSenderWaitsPastTheBudget() async throws {
        let channel = ResultChannel(byteCapacity: 10)
        try await channel.send(ByteBuffer(string: "12345678\n"))
        try await channel.send(ByteBuffer(string: "abcdefgh\n"))  // 9 < 10: still room
        let third = Task { try await channel.send(ByteBuffer(string: "third\n")) }
        // The third send is blocked until a chunk is read; reading two lets it through.
        guard case .chunk(let first) = await channel.next() else {
            Issue.record("expected a chunk")
            return
        }
        #expect(String(buffer: first) == "12345678\n")
        try await third.value
        await channel.finish(.success(3))
        var rest: [String] = []
        while case .chunk(let chunk) = await channel.next() { rest.append(String(buffer: chunk)) }
        #expect(rest == ["abcdefgh\n", "third\n"])
    }
}
