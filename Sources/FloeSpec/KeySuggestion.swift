/// Finds the known key closest to a misspelt one, for "did you mean" hints.
enum KeySuggestion {
    /// The candidate closest to `key` (case-insensitive edit distance of at most 2, or of at most a
    /// third of the key's length for long keys), if any.
    static func closest(to key: String, in candidates: [String]) -> String? {
        let lowered = Array(key.lowercased().unicodeScalars)
        guard lowered.count <= 256 else { return nil }
        let limit = max(2, lowered.count / 3)
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, Array(candidate.lowercased().unicodeScalars))
            if distance <= limit, best == nil || distance < best!.1 {
                best = (candidate, distance)
            }
        }
        return best?.0
    }

    /// Levenshtein distance (insertions, deletions, substitutions; each costs 1).
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
