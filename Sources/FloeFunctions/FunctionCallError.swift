/// Why a service-function call failed, in words that say what to do.
public enum FunctionCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Input line `line` (1-based) is not a JSON array of arguments.
    case badInput(line: Int, reason: String)
    /// Input line `line` has `found` arguments; the function takes `expected`.
    case wrongArgumentCount(line: Int, expected: Int, found: Int)
    /// No instance of the service was READY to serve the endpoint within `waitedSeconds`.
    case noReadyInstance(service: String, endpoint: String, waitedSeconds: Int)
    /// A batch failed after its retries (ON_BATCH_FAILURE = ABORT): the service's last answer or error.
    case batchFailed(batch: Int, rows: Range<Int>, attempts: Int, reason: String)
    /// The service answered a batch with something that is not a correct result (wrong row count,
    /// rows out of order, malformed JSON). Never retried and never turned into nulls.
    case badResponse(batch: Int, rows: Range<Int>, reason: String)
    /// The batch was not answered within BATCH_TIMEOUT_SECS.
    case timedOut(batch: Int, rows: Range<Int>, seconds: Int)
    /// Whoever receives the results went away (or the call was cancelled).
    case cancelled

    public var description: String {
        switch self {
        case .badInput(let line, let reason):
            "input line \(line) is not a JSON array of arguments (\(reason)); write one array per line, like [\"a\", 1]"
        case .wrongArgumentCount(let line, let expected, let found):
            "input line \(line) has \(found) argument\(found == 1 ? "" : "s"); the function takes \(expected)"
        case .noReadyInstance(let service, let endpoint, let waited):
            "no READY instance of \(service) serves endpoint '\(endpoint)' (waited \(waited) s); check `floectl status \(service)`"
        case .batchFailed(let batch, let rows, let attempts, let reason):
            "batch \(batch) (\(Self.rows(rows))) failed after \(attempts) attempt\(attempts == 1 ? "" : "s"): \(reason)"
        case .badResponse(let batch, let rows, let reason):
            "the service's answer to batch \(batch) (\(Self.rows(rows))) is wrong: \(reason); fix the service (each answer is {\"data\": [[0, result], [1, result], ...]}, one row per input row, in order)"
        case .timedOut(let batch, let rows, let seconds):
            "batch \(batch) (\(Self.rows(rows))) was not answered within BATCH_TIMEOUT_SECS (\(seconds) s); raise batchTimeoutSecs or send smaller batches (maxBatchRows)"
        case .cancelled:
            "the call was cancelled"
        }
    }

    /// "rows 1-1000" (1-based, as input lines are counted).
    static func rows(_ range: Range<Int>) -> String {
        range.count == 1 ? "row \(range.lowerBound + 1)" : "rows \(range.lowerBound + 1)-\(range.upperBound)"
    }
}
