import NIOCore

/// One batch of a call: its number (0-based), the input rows it holds and its request body
/// `{"data": [[0, args...], [1, args...], ...]}` (row indices count within the batch).
struct FunctionBatch: Sendable {
    var number: Int
    /// 0-based input row numbers.
    var rows: Range<Int>
    var body: ByteBuffer
    /// `sf-external-function-query-batch-id`: the same on every retry and poll of this batch.
    var id: String
}

/// Builds a batch's body as rows arrive.
struct FunctionBatchBuilder {
    private(set) var count = 0
    private var buffer = ByteBuffer()

    mutating func add(_ row: FunctionRow) {
        if count == 0 {
            buffer.writeStaticString("{\"data\":[")
        } else {
            buffer.writeStaticString(",")
        }
        buffer.writeStaticString("[")
        buffer.writeString(String(count))
        if row.count > 0 {
            buffer.writeStaticString(",")
            buffer.writeBytes(row.arguments)
        }
        buffer.writeStaticString("]")
        count += 1
    }

    /// The body, and a fresh builder.
    mutating func finish() -> ByteBuffer {
        var body = buffer
        body.writeStaticString("]}")
        self = FunctionBatchBuilder()
        return body
    }
}
