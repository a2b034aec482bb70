import Glibc
import Synchronization

/// Requests from any thread to the watcher's thread, and the socket that wakes it from `poll()`.
///
/// The write end of the wake socket is only used, and closed, under the lock, so a late request never writes
/// to a descriptor that was closed (or reused) by the time it runs.
final class StageWatchControl: Sendable {
    private struct State {
        var stopRequested = false
        var rescanRequested = false
        var wakeWriter: Int32
    }

    private let state: Mutex<State>
    /// The end the watcher's thread polls, or -1 when no socket could be made (then the thread polls with a
    /// short timeout instead).
    let wakeReader: Int32

    init() {
        var pair: [Int32] = [-1, -1]
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if socketpair(AF_UNIX, type, 0, &pair) != 0 {
            pair = [-1, -1]
        }
        wakeReader = pair[0]
        state = Mutex(State(wakeWriter: pair[1]))
    }

    /// Asks the thread to stop; it closes its descriptors and ends the event stream.
    func requestStop() {
        state.withLock {
            $0.stopRequested = true
            Self.wake($0.wakeWriter)
        }
    }

    /// Asks the thread for a full rescan as soon as possible.
    func requestRescan() {
        state.withLock {
            $0.rescanRequested = true
            Self.wake($0.wakeWriter)
        }
    }

    /// The pending requests; clears the rescan request.
    func takeRequests() -> (stop: Bool, rescan: Bool) {
        state.withLock { state in
            defer { state.rescanRequested = false }
            return (state.stopRequested, state.rescanRequested)
        }
    }

    /// Empties the wake socket (called by the watcher's thread after `poll()` said it is readable).
    func drain() {
        guard wakeReader >= 0 else { return }
        var scratch: [UInt8] = Array(repeating: 0, count: 64)
        while scratch.withUnsafeMutableBytes({ recv(wakeReader, $0.baseAddress, $0.count, 0) }) > 0 {}
    }

    /// Closes both ends; called once by the watcher's thread when it ends.
    func close() {
        let wasOpen = state.withLock {
            $0.stopRequested = true
            guard $0.wakeWriter >= 0 else { return false }
            _ = Glibc.close($0.wakeWriter)
            $0.wakeWriter = -1
            return true
        }
        if wasOpen, wakeReader >= 0 {
            _ = Glibc.close(wakeReader)
        }
    }

    /// A watcher that was never started still owns its socket.
    deinit {
        close()
    }

    private static func wake(_ writer: Int32) {
        guard writer >= 0 else { return }
        var byte: UInt8 = 1
        // A full socket already means "wake up"; EAGAIN is fine.
        _ = send(writer, &byte, 1, Int32(MSG_DONTWAIT))
    }
}
