import Testing

@testable import FloeDaemon

@Suite("Event queue")
struct EventQueueTests {
    @Test func whatWaitsIsTakenAsOneBatchInOrder() async {
        let queue = EventQueue<Int>()
        for n in 1...5 { #expect(queue.send(n)) }
        #expect(await queue.next() == [1, 2, 3, 4, 5])
    }

    @Test func aWaitingConsumerGetsTheFirstElementAtOnce() async {
        let queue = EventQueue<Int>()
        let consumer = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        queue.send(7)
        #expect(await consumer.value == [7])
        queue.send(8)
        queue.send(9)
        #expect(await queue.next() == [8, 9])
    }

    @Test func finishingAnswersTheConsumerAndDropsLaterElements() async {
        let queue = EventQueue<Int>()
        queue.send(1)
        #expect(queue.finish() == [1])
        #expect(await queue.next() == nil)
        #expect(!queue.send(2))
        let waiting = EventQueue<Int>()
        let consumer = Task { await waiting.next() }
        try? await Task.sleep(for: .milliseconds(20))
        waiting.finish()
        #expect(await consumer.value == nil)
    }

    @Test func aCancelledConsumerGetsNil() async {
        let queue = EventQueue<Int>()
        let consumer = Task { await queue.next() }
        try? await Task.sleep(for: .milliseconds(20))
        consumer.cancel()
        #expect(await consumer.value == nil)
        queue.send(3)
        #expect(await queue.next() == [3])
    }
}
