import FloeAPI
import FloeFunctions
import Foundation
import NIOCore

/// The rows of a call, as the JSON-lines body floed takes, read from a file or standard input in
/// chunks (never the whole input at once).
struct FunctionInput: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    enum Source: Sendable {
        case line(String)
        case file(path: String, csv: Bool, header: Bool, types: [String])
    }

    let source: Source

    init(line: String) {
        source = .line(line)
    }

    init(path: String, format: Call.InputFormat, header: Bool, function: FunctionInfo) throws {
        if path != "-" && !FileManager.default.isReadableFile(atPath: path) {
            throw fail("cannot read \(path); give a readable file, or - for standard input", code: 2)
        }
        source = .file(path: path, csv: format == .csv, header: header, types: function.arguments.map(\.type))
    }

    func makeAsyncIterator() -> Iterator {
        switch source {
        case .line(let line): Iterator(pending: [ByteBuffer(string: line)], fd: -1)
        case .file(let path, let csv, let header, let types):
            Iterator(
                fd: path == "-" ? 0 : open(path, O_RDONLY), csv: csv ? CSVRecords() : nil, skipHeader: header,
                types: types)
        }
    }

    struct Iterator: AsyncIteratorProtocol {
        var pending: [ByteBuffer] = []
        var fd: Int32
        var csv: CSVRecords?
        var skipHeader = false
        var types: [String] = []
        var record = 0
        var done = false

        mutating func next() async throws -> ByteBuffer? {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if done || fd < 0 { return nil }
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    done = true
                    if fd > 0 { close(fd) }
                    if var reader = csv, let last = reader.finish() { pending.append(lines([last])) }
                    continue
                }
                chunk.removeSubrange(count...)
                if var reader = csv {
                    let records = reader.feed(chunk)
                    csv = reader
                    if !records.isEmpty { pending.append(lines(records)) }
                } else {
                    pending.append(ByteBuffer(bytes: chunk))
                }
            }
        }

        /// CSV records as JSON lines, each field converted by its argument's declared type.
        mutating func lines(_ records: [[CSVRecords.Field]]) -> ByteBuffer {
            var buffer = ByteBuffer()
            for fields in records {
                record += 1
                if skipHeader && record == 1 { continue }
                let values = fields.enumerated().map { index, field in
                    FunctionArguments.csvField(
                        field.text, quoted: field.quoted, type: index < types.count ? types[index] : "VARIANT")
                }
                buffer.writeString("[" + values.joined(separator: ",") + "]\n")
            }
            return buffer
        }
    }
}
