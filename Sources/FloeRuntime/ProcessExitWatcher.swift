import CFloeProcess
import FloeCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Waits for the containers' main processes to end, all of them on one thread: one pidfd per
/// process in one epoll set; an ended process is reaped and its exit handed to its callback.
///
/// Why not swift-subprocess's `run`, which also watches its child: version 1.0 keeps, for every
/// running child, a task that wakes up once a second to see whether it was cancelled. With 1,000
/// containers that was 1,000 timer wake-ups a second and about two thirds of an otherwise idle
/// floed's CPU (measured with perf). An epoll wait costs nothing while no process ends.
final class ProcessExitWatcher: Sendable {
    /// The watcher of this floed (its thread starts on first use).
    static let shared = ProcessExitWatcher()

    private struct Watch: Sendable {
        var reap: Bool
        /// A descriptor watched for data (not a pidfd): left open for its owner.
        var readable = false
        var onExit: @Sendable (ContainerExit?) -> Void
    }

    private let epoll: Int32
    private let watched = Mutex<[Int32: Watch]>([:])

    private init() {
        epoll = floe_exit_set_create()
        if epoll >= 0 {
            Self.startThread { [self] in
                floe_name_thread("floe-exits")
                run()
            }
        }
    }

    /// Calls `onExit` once process `pid` has ended: with its exit status when it is floed's child
    /// and `reap` is set (it is reaped), nil otherwise (a process that is not floed's child ends
    /// without telling floed its status). False when the process cannot be watched this way (no
    /// pidfd support, or no such process any more): the caller must find out otherwise.
    func watch(pid: Int32, reap: Bool = true, onExit: @escaping @Sendable (ContainerExit?) -> Void) -> Bool {
        guard epoll >= 0 else { return false }
        let fd = floe_pidfd_open(pid)
        guard fd >= 0 else { return false }
        guard add(fd, Watch(reap: reap, onExit: onExit)) else {
            close(fd)
            return false
        }
        return true
    }

    /// Calls `body` once descriptor `fd` has data to read (or its writer closed it), on the watcher's
    /// thread; the descriptor stays open. False when it cannot be watched: the caller reads it as is.
    func whenReadable(_ fd: Int32, _ body: @escaping @Sendable () -> Void) -> Bool {
        guard epoll >= 0 else { return false }
        return add(fd, Watch(reap: false, readable: true, onExit: { _ in body() }))
    }

    /// Puts `fd` in the epoll set with what to do when it is ready; false (and nothing kept) when the
    /// set refuses it.
    private func add(_ fd: Int32, _ watch: Watch) -> Bool {
        watched.withLock { $0[fd] = watch }
        guard floe_exit_set_add(epoll, fd) == 0 else {
            _ = watched.withLock { $0.removeValue(forKey: fd) }
            return false
        }
        return true
    }

    private func run() {
        var ready = [Int32](repeating: -1, count: 64)
        while true {
            let count = floe_exit_set_wait(epoll, &ready, Int32(ready.count))
            guard count > 0 else { continue }
            for fd in ready.prefix(Int(count)) {
                guard let watch = watched.withLock({ $0.removeValue(forKey: fd) }) else { continue }
                guard watch.reap else {
                    if !watch.readable { close(fd) }
                    watch.onExit(nil)
                    continue
                }
                var exited: Int32 = 0
                var status: Int32 = 0
                let reaped = floe_pidfd_reap(fd, &exited, &status) == 0
                close(fd)
                let exit =
                    !reaped
                    ? ContainerExit(exitCode: 255, signal: nil)
                    : exited == 1
                        ? ContainerExit(exitCode: status, signal: nil) : ContainerExit(exitCode: nil, signal: status)
                watch.onExit(exit)
            }
        }
    }

    private final class ThreadBody {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    private static func startThread(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().body()
                return nil
            }, context)
        if started == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
        }
    }
}
