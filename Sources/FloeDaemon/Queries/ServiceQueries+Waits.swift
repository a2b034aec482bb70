import FloeAPI
import FloeCore
import FloeSpec
import Foundation

extension ServiceQueries {
    /// Waits until the object's status (SPCS service status or, for READY, all containers READY)
    /// reaches `target`, or the timeout passes. Returns the last status seen.
    public func wait(_ raw: String, for target: String, timeout: Duration) async throws(QueryError) -> (Bool, String) {
        let answer = try await wait(all: [raw], for: target, timeout: timeout)
        return (answer.reached, answer.objects.first?.status ?? "")
    }

    /// Waits until every object of `raws` has reached `target` (as ``wait(_:for:timeout:)``), or the
    /// timeout passes; one answer per name, in the order given. A name floed does not know fails at once.
    ///
    /// Cheap however many names are given: after each change only the names not yet seen at `target`
    /// are looked at, in order, up to the first that is not there yet. When all have been seen there,
    /// all are read once more: one that left the state meanwhile (a restarted container) is waited for
    /// again, within the same timeout. A cancelled wait answers with what it sees.
    public func wait(all raws: [String], for target: String, timeout: Duration) async throws(QueryError)
        -> WaitAnswer
    {
        var names: [ObjectName] = []
        for raw in raws { names.append(try snapshot.resolve(raw)) }
        let deadline = clock.now.addingTimeInterval(timeout.seconds)
        var next = 0  // names[..<next] have been seen at the target
        while true {
            let snapshot = self.snapshot
            while next < names.count, snapshot.waitState(names[next], for: target).reached { next += 1 }
            let over = clock.now >= deadline || Task.isCancelled
            if next == names.count || over {
                let objects = names.map { name in
                    let (reached, status) = snapshot.waitState(name, for: target)
                    return WaitAnswer.Object(name: name.value, reached: reached, status: status)
                }
                guard let missed = objects.firstIndex(where: { !$0.reached }), !over else {
                    return WaitAnswer(reached: objects.allSatisfy(\.reached), objects: objects)
                }
                next = missed
                continue
            }
            await loop.broadcaster.waitForChange(after: snapshot.generation, until: deadline)
        }
    }
}
