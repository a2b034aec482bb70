#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// floed's time zone: GMT, whatever the machine's.
///
/// floed shows every time in UTC (RFC 3339 with `Z`, from `gmtime_r`) and never reads local time, but
/// Hummingbird's `Date`-header cache builds a Gregorian calendar in the current time zone, which
/// Foundation resolves through ICU's time-zone data even when it is UTC (perf, page faults): with
/// `TZ=GMT` Foundation uses its built-in GMT, and 0.7 MiB less of floed's binary is resident (its
/// read-only data with 100 instances, 3.3 → 2.6 MiB; measured from `/proc/PID/smaps`).
/// Containers are not affected: they get their own environment, never floed's.
public enum TimeZoneSetting {
    /// Sets `TZ=GMT` for this process. Call first thing in `main`, before other threads read the
    /// environment and before anything asks Foundation for the current time zone.
    public static func useGMT() {
        setenv("TZ", "GMT", 1)
    }
}
