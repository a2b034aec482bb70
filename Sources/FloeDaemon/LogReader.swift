import Foundation

/// Reads container log files for `floectl logs` (the processes write them directly).
enum LogReader {
    static func size(path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// The last `lines` lines of the file, reading backwards in chunks.
    static func tail(path: String, lines: Int) -> String {
        guard lines > 0, let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let end = (try? handle.seekToEnd()) ?? 0
        var position = end
        var collected = Data()
        let chunk: UInt64 = 64 * 1024
        while position > 0 {
            let start = position > chunk ? position - chunk : 0
            try? handle.seek(toOffset: start)
            let data = handle.readData(ofLength: Int(position - start))
            collected = data + collected
            position = start
            // One more newline than wanted: the file's final newline ends the last line.
            if collected.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) > lines { break }
        }
        var text = String(decoding: collected, as: UTF8.self)
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        if parts.last == "" { parts.removeLast() }
        text = parts.suffix(lines).joined(separator: "\n")
        return text.isEmpty ? "" : text + "\n"
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
