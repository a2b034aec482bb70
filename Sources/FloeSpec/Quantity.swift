/// Parses the resource quantities of SPCS specs: cpu (`500m`, `0.5`, `2`) and memory (`6Gi`, `512Mi`,
/// `1G`, `100k`, plain bytes).
enum Quantity {
    /// What a cpu value may look like, for diagnostics.
    static let cpuForms = "a number of cores such as 0.5 or 2, or millicores such as 500m"
    /// What a memory value may look like, for diagnostics.
    static let memoryForms = "bytes with an optional unit: K, Ki, M, Mi, G, Gi, T or Ti (for example 512Mi, 6Gi, 1G)"

    /// Millicores, or nil when `text` is not a cpu quantity.
    static func milliCPU(_ text: String) -> Int? {
        if text.hasSuffix("m") {
            guard let value = Int(text.dropLast()), value >= 0, value <= 1_000_000_000 else { return nil }
            return value
        }
        guard let (whole, fraction, digits) = decimal(text), digits <= 3, whole <= 1_000_000 else { return nil }
        var scaled = fraction
        for _ in digits..<3 { scaled *= 10 }
        return whole * 1000 + scaled
    }

    /// Bytes, or nil when `text` is not a memory quantity. Fractions are allowed (`0.5Gi`) and round down.
    static func bytes(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("Ti", 1 << 40),
            ("K", 1000), ("k", 1000), ("M", 1_000_000), ("G", 1_000_000_000), ("T", 1_000_000_000_000),
        ]
        var number = Substring(text)
        var multiplier: Int64 = 1
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = text.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard let (whole, fraction, digits) = decimal(String(number)), digits <= 9 else { return nil }
        guard whole <= Int(Int64.max / multiplier) / 2 else { return nil }
        var divisor: Int64 = 1
        for _ in 0..<digits { divisor *= 10 }
        let fractionBytes = Int64(Double(fraction) / Double(divisor) * Double(multiplier))
        let total = Int64(whole) * multiplier + fractionBytes
        // Far beyond any node, and small enough that adding up 20 containers cannot overflow.
        return total <= maxBytes ? total : nil
    }

    /// The largest memory or size floe accepts: 1 PiB.
    static let maxBytes: Int64 = 1 << 50

    /// `12`, `12.5`, `.5` -> (whole, fraction digits as an integer, number of fraction digits).
    private static func decimal(_ text: String) -> (Int, Int, Int)? {
        guard !text.isEmpty, text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 }) else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.count == 1 || !(parts[0].isEmpty && parts[1].isEmpty) else { return nil }
        guard parts[0].count <= 15, parts.count == 1 || parts[1].count <= 15 else { return nil }
        let whole = parts[0].isEmpty ? 0 : Int(parts[0]) ?? 0
        if parts.count == 1 { return (whole, 0, 0) }
        var fractionText = Substring(parts[1])
        while fractionText.count > 1, fractionText.last == "0" { fractionText = fractionText.dropLast() }
        let fraction = fractionText.isEmpty ? 0 : Int(fractionText) ?? 0
        return (whole, fraction, fraction == 0 ? 0 : fractionText.count)
    }

    /// `1.5`, `2`, `0.25` — millicores as cores, for messages.
    static func formatCPU(_ milli: Int) -> String {
        let whole = milli / 1000
        var fraction = String(milli % 1000)
        if fraction == "0" { return String(whole) }
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction)"
    }

    /// `6 GiB`, `0.5 GiB`, `512 MiB` — bytes, for messages.
    static func formatBytes(_ bytes: Int64) -> String {
        if bytes >= 1 << 30 || bytes == 0 {
            let tenths = (bytes * 10) >> 30
            return tenths % 10 == 0 ? "\(tenths / 10) GiB" : "\(tenths / 10).\(tenths % 10) GiB"
        }
        return "\(bytes >> 20) MiB"
    }
}
