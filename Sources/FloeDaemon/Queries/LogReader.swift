import Foundation

/// Reads container log files for `floectl logs` (the processes write them directly).
enum LogReader {
    static func size(path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// Bytes from `offset` to the end (at most 1 MiB), and the offset after them. A file that
    /// shrank (rotated or truncated) is read from its start.
    static func read(path: String, from offset: Int) -> ([UInt8], Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return ([], offset) }
        defer { try? handle.close() }
        let end = Int((try? handle.seekToEnd()) ?? 0)
        let start = offset > end ? 0 : offset
        try? handle.seek(toOffset: UInt64(start))
        let data = handle.readData(ofLength: min(end - start, 1 << 20))
        return (Array(data), start + data.count)
    }
}
