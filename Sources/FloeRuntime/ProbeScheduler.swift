import HeapModule
import NIOCore
import NIOPosix

/// Runs every readiness and liveness probe of floed on one event loop with one timer.
///
/// One sleeping task per probe loop costs a timer and two or three thread wake-ups per probe, which
/// with 1,000 instances is most of an idle floed's CPU. Here the due probes sit in a heap; a single
/// timer fires for the earliest, and everything due by then is probed in the same wake-up. Steady
/// probes are due on a grid (a tenth of their period, at most 100 ms), so probes that started at
/// different times share wake-ups; a probe may come up to one grid step late.
///
/// Only answers that change something are reported, in batches (one call of `deliver` per turn of
/// the event loop): a success after a success is not. Readiness is probed quickly after
/// ``add(_:_:)`` (1 ms, doubling up to the period) so READY follows the process listening within
/// milliseconds; those quick failures are counted once per period, so a failing probe means what it
/// means in SPCS (threshold × period). Liveness starts one period after ``add(_:_:)``.
public final class ProbeScheduler: Sendable {
    /// Names a probe loop (the owner maps it to what it probes).
    public typealias ID = Int

    /// The loop every probe runs on (and the prober's connections live on).
    public let eventLoop: any EventLoop
    private let box: NIOLoopBoundBox<Machine>

    /// A scheduler that probes with `prober` on `eventLoop` and hands the answers that count to
    /// `deliver`, in order, on the event loop (keep it short: e.g. yield to an `AsyncStream`).
    public init(
        prober: any Prober, eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        deliver: @escaping @Sendable ([ProbeReport]) -> Void
    ) {
        self.eventLoop = eventLoop
        self.box = .makeBoxSendingValue(
            Machine(prober: prober, eventLoop: eventLoop, deliver: deliver), as: Machine.self, eventLoop: eventLoop)
    }

    /// Starts probe loop `id` (replacing one with the same id; answers of the replaced loop are dropped).
    public func add(_ id: ID, _ probe: ScheduledProbe) {
        onLoop { $0.add(id, probe) }
    }

    /// Stops probe loop `id`; an answer already on its way is dropped.
    public func remove(_ id: ID) {
        onLoop { $0.remove(id) }
    }

    /// Stops every probe loop.
    public func removeAll() {
        onLoop { $0.removeAll() }
    }

    /// The probe loops running now (for tests and diagnostics).
    public func count() async -> Int {
        (try? await eventLoop.submit { self.box.value.entries.count }.get()) ?? 0
    }

    private func onLoop(_ body: @escaping @Sendable (Machine) -> Void) {
        if eventLoop.inEventLoop {
            body(box.value)
        } else {
            eventLoop.execute { body(self.box.value) }
        }
    }
}

extension ProbeScheduler {
    /// The scheduler's state; touched only on its event loop.
    final class Machine {
        /// A probe loop's state. A class, so that a probe going out or coming back changes it in place:
        /// neither the entry (its request, its connection) nor the table of entries is copied per probe.
        final class Entry {
            let probe: ScheduledProbe
            /// The connection kept from the last probe.
            var connection: ProbeConnection?
            /// Tells this loop's queued probes and answers from those of a loop it replaced.
            var serial: UInt64
            /// The next quick-start delay, while readiness has not succeeded yet.
            var fast: TimeAmount
            var succeededOnce = false
            var lastCounted: NIODeadline
            /// The last answer reported (nil: none yet).
            var lastReported: Bool?

            init(probe: ScheduledProbe, serial: UInt64, fast: TimeAmount, lastCounted: NIODeadline) {
                self.probe = probe
                self.serial = serial
                self.fast = fast
                self.lastCounted = lastCounted
            }
        }

        struct Due: Comparable {
            var at: NIODeadline
            var serial: UInt64
            var id: ID

            static func < (a: Due, b: Due) -> Bool { (a.at, a.serial) < (b.at, b.serial) }
            static func == (a: Due, b: Due) -> Bool { a.at == b.at && a.serial == b.serial }
        }

        let prober: any Prober
        let eventLoop: any EventLoop
        let deliver: @Sendable ([ProbeReport]) -> Void
        var entries: [ID: Entry] = [:]
        var queue = Heap<Due>()
        var timer: Scheduled<Void>?
        var timerAt: NIODeadline?
        var pending: [ProbeReport] = []
        var serial: UInt64 = 0

        init(prober: any Prober, eventLoop: any EventLoop, deliver: @escaping @Sendable ([ProbeReport]) -> Void) {
            self.prober = prober
            self.eventLoop = eventLoop
            self.deliver = deliver
        }

        func add(_ id: ID, _ probe: ScheduledProbe) {
            serial += 1
            let now = eventLoop.now
            entries[id]?.connection?.close()
            // Readiness: the first probe 1 ms after the start (one at once would always be refused: the
            // program has not even been exec'd), then 2, 4, 8 ... ms after the one before.
            entries[id] = Entry(probe: probe, serial: serial, fast: .milliseconds(2), lastCounted: now)
            let first = probe.kind == .liveness ? now + Self.amount(probe.period) : now + .milliseconds(1)
            queue.insert(Due(at: first, serial: serial, id: id))
            arm()
        }

        func remove(_ id: ID) {
            // Its queued item is dropped when it comes up (the serial no longer matches).
            entries.removeValue(forKey: id)?.connection?.close()
        }

        func removeAll() {
            for entry in entries.values { entry.connection?.close() }
            entries.removeAll()
            queue = Heap()
            timer?.cancel()
            timer = nil
            timerAt = nil
        }

        /// Keeps one timer, at the earliest due probe.
        func arm() {
            guard let first = queue.min else { return }
            if let timerAt, timerAt <= first.at { return }
            timer?.cancel()
            timerAt = first.at
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            timer = eventLoop.scheduleTask(deadline: first.at) { bound.value.fire() }
        }

        func fire() {
            timer = nil
            timerAt = nil
            let now = eventLoop.now
            while let first = queue.min, first.at <= now {
                queue.removeMin()
                guard let entry = entries[first.id], entry.serial == first.serial else { continue }
                launch(first.id, entry)
            }
            arm()
        }

        func launch(_ id: ID, _ entry: Entry) {
            let serial = entry.serial
            let connection = entry.connection
            entry.connection = nil
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            prober.probe(entry.probe.request, over: connection, on: eventLoop)
                .hop(to: eventLoop)
                .whenComplete { answer in
                    let answer = (try? answer.get()) ?? ProbeAnswer(result: .failure("probe abandoned"))
                    bound.value.answered(id, serial: serial, answer)
                }
        }

        func answered(_ id: ID, serial: UInt64, _ answer: ProbeAnswer) {
            guard let entry = entries[id], entry.serial == serial else {
                // The loop stopped (or started again) while the probe was out.
                answer.connection?.close()
                return
            }
            let result = answer.result
            entry.connection = answer.connection
            let now = eventLoop.now
            let period = Self.amount(entry.probe.period)
            let success = result == .success
            let quick = entry.probe.kind == .readiness && !entry.succeededOnce
            if success || !quick || now - entry.lastCounted >= period {
                entry.lastCounted = now
                if !(success && entry.lastReported == true) {
                    report(ProbeReport(id: id, result: result))
                }
                entry.lastReported = success
            }
            entry.succeededOnce = entry.succeededOnce || success
            let next: NIODeadline
            if entry.probe.kind == .readiness && !entry.succeededOnce && entry.fast < period {
                next = now + entry.fast
                entry.fast = min(entry.fast * 2, period)
            } else {
                next = Self.onGrid(now + period, step: min(.milliseconds(100), .nanoseconds(period.nanoseconds / 10)))
            }
            queue.insert(Due(at: next, serial: serial, id: id))
            arm()
        }

        /// Collects reports; they go out together once the loop has handled what woke it.
        func report(_ report: ProbeReport) {
            pending.append(report)
            guard pending.count == 1 else { return }
            let bound = NIOLoopBound(self, eventLoop: eventLoop)
            eventLoop.execute { bound.value.flush() }
        }

        func flush() {
            let reports = pending
            pending = []
            if !reports.isEmpty { deliver(reports) }
        }

        /// `deadline` rounded up to a multiple of `step`, so that probes share timer wake-ups.
        static func onGrid(_ deadline: NIODeadline, step: TimeAmount) -> NIODeadline {
            let step = UInt64(max(step.nanoseconds, 1))
            let at = deadline.uptimeNanoseconds
            return .uptimeNanoseconds((at + step - 1) / step * step)
        }

        static func amount(_ duration: Duration) -> TimeAmount {
            .nanoseconds(NIOProber.nanoseconds(duration))
        }
    }
}
