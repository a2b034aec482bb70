import Foundation

/// RFC 3339 UTC timestamps as SPCS prints them (`2023-01-01T00:00:00Z`).
public enum Timestamp {
    /// Formats `date` as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func rfc3339(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
