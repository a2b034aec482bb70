#if canImport(Glibc)
    import CMalloc
    import Glibc
#endif

/// glibc malloc settings that keep floed's heap small.
///
/// glibc gives each thread that contends for the heap an arena of its own (up to eight per core), each a
/// separately reserved heap whose freed memory is not shared with the others; floed's allocations come
/// from a handful of threads (NIO's event loops, the Swift concurrency pool), so one arena is enough and
/// measured cheaper. ``limitArenas(_:)`` must run before those threads start (first thing in `main`).
/// On other C libraries every call is a no-op that answers `false` or `nil`.
public enum MallocTuning {
    /// What the process's malloc holds, in bytes, for deciding whether a trim is worth it.
    public struct Usage: Sendable, Equatable {
        /// Bytes in chunks handed out and not yet freed.
        public var inUse: Int
        /// Bytes malloc holds free (from the kernel, not given back): what a trim can return.
        public var free: Int

        public init(inUse: Int, free: Int) {
            self.inUse = inUse
            self.free = free
        }
    }

    /// Limits malloc to `count` arenas (glibc's `M_ARENA_MAX`); true when the C library took the setting.
    @discardableResult
    public static func limitArenas(_ count: Int) -> Bool {
        #if canImport(Glibc)
            return mallopt(M_ARENA_MAX, Int32(clamping: count)) == 1
        #else
            return false
        #endif
    }

    /// The heap's current use (glibc's `mallinfo2`), or nil where the C library has none.
    public static func usage() -> Usage? {
        #if canImport(Glibc)
            let info = mallinfo2()
            return Usage(inUse: Int(clamping: info.uordblks), free: Int(clamping: info.fordblks))
        #else
            return nil
        #endif
    }

    /// Gives the heap's free pages back to the kernel (glibc's `malloc_trim(0)`); true when some were.
    @discardableResult
    public static func trim() -> Bool {
        #if canImport(Glibc)
            return malloc_trim(0) == 1
        #else
            return false
        #endif
    }
}
