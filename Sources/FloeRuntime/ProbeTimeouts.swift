import NIOCore
import NIOPosix

/// The timeouts of every probe out on one event loop, on one timer.
///
/// A timer per probe (scheduled when it is sent, left to fire or cancelled when the answer comes) costs
/// an allocation or three and a push and pop on NIO's heap of scheduled tasks, which with 1,000
/// kept-alive probe connections holds hundreds of entries: measured, that heap's upkeep was about 6 %
/// of a steady floed's CPU. Here the probes out are kept in a table, and one timer stands at the
/// earliest deadline among them. When an answer comes the probe leaves the table and the timer is left
/// alone: at worst it fires once with nothing due and is set again for the next deadline, or not at all
/// when nothing is out. Probes on a period of seconds with a timeout of one second cost about one timer
/// wake-up a second on the whole loop, however many there are.
///
/// Touched only on its event loop; ``current(on:)`` gives the loop's own.
final class ProbeTimeouts {
    private let eventLoop: any EventLoop
    /// The probes out, with their deadlines.
    private var out: [ObjectIdentifier: (deadline: NIODeadline, handler: ProbeHandler)] = [:]
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture

    /// Each event loop's thread sees only its own table, so sharing the variable is safe.
    nonisolated(unsafe) private static let perThread = ThreadSpecificVariable<ProbeTimeouts>()

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The table of `eventLoop`, which must be the loop of the calling thread.
    static func current(on eventLoop: any EventLoop) -> ProbeTimeouts {
        eventLoop.preconditionInEventLoop()
        if let timeouts = perThread.currentValue { return timeouts }
        let timeouts = ProbeTimeouts(eventLoop: eventLoop)
        perThread.currentValue = timeouts
        return timeouts
    }

    /// `handler` has a probe out until `deadline`: its ``ProbeHandler/deadlinePassed()`` is called then,
    /// unless ``answered(_:)`` came first.
    func sent(_ handler: ProbeHandler, deadline: NIODeadline) {
        out[ObjectIdentifier(handler)] = (deadline, handler)
        if deadline < timerAt { arm(at: deadline) }
    }

    /// `handler`'s probe is no longer out (answered, failed or closed).
    func answered(_ handler: ProbeHandler) {
        out.removeValue(forKey: ObjectIdentifier(handler))
    }

    private func arm(at deadline: NIODeadline) {
        timer?.cancel()
        timerAt = deadline
        let bound = NIOLoopBound(self, eventLoop: eventLoop)
        timer = eventLoop.scheduleTask(deadline: deadline) { bound.value.fire() }
    }

    private func fire() {
        timer = nil
        timerAt = .distantFuture
        let now = NIODeadline.now()
        var late: [ProbeHandler] = []
        var next = NIODeadline.distantFuture
        for (deadline, handler) in out.values {
            if deadline <= now {
                late.append(handler)
            } else {
                next = min(next, deadline)
            }
        }
        for handler in late {
            out.removeValue(forKey: ObjectIdentifier(handler))
            handler.deadlinePassed()
        }
        // A probe sent from one of those callbacks may have set an earlier timer already.
        if next < timerAt { arm(at: next) }
    }
}
