/// A row of `GET /v1/functions` / `floectl functions`: a service function from a `function:` stage file.
public struct FunctionInfo: Sendable, Hashable, Codable {
    public var name: String
    public var service: String
    public var endpoint: String
    public var path: String
    /// The declared arguments, in order.
    public var arguments: [FunctionArgumentInfo]
    public var returns: String
    /// The batch size set in the file; nil: floe's default.
    public var maxBatchRows: Int?
    /// The batch size calls use.
    public var effectiveMaxBatchRows: Int
    public var maxBatchRetries: Int
    /// ABORT or RETURN_NULL.
    public var onBatchFailure: String
    public var batchTimeoutSecs: Int
    public var contextHeaders: [String]

    public init(
        name: String, service: String, endpoint: String, path: String, arguments: [FunctionArgumentInfo],
        returns: String, maxBatchRows: Int?, effectiveMaxBatchRows: Int, maxBatchRetries: Int, onBatchFailure: String,
        batchTimeoutSecs: Int, contextHeaders: [String]
    ) {
        self.name = name
        self.service = service
        self.endpoint = endpoint
        self.path = path
        self.arguments = arguments
        self.returns = returns
        self.maxBatchRows = maxBatchRows
        self.effectiveMaxBatchRows = effectiveMaxBatchRows
        self.maxBatchRetries = maxBatchRetries
        self.onBatchFailure = onBatchFailure
        self.batchTimeoutSecs = batchTimeoutSecs
        self.contextHeaders = contextHeaders
    }

    /// `NAME(InputText VARCHAR) RETURNS VARCHAR`, as SHOW FUNCTIONS writes a signature.
    public var signature: String {
        let arguments = self.arguments.map { "\($0.name) \($0.type.uppercased())" }.joined(separator: ", ")
        return "\(name)(\(arguments)) RETURNS \(returns.uppercased())"
    }

    enum CodingKeys: String, CodingKey {
        case name, service, endpoint, path, arguments, returns
        case maxBatchRows = "max_batch_rows"
        case effectiveMaxBatchRows = "effective_max_batch_rows"
        case maxBatchRetries = "max_batch_retries"
        case onBatchFailure = "on_batch_failure"
        case batchTimeoutSecs = "batch_timeout_secs"
        case contextHeaders = "context_headers"
    }
}

/// One declared argument of a service function.
public struct FunctionArgumentInfo: Sendable, Hashable, Codable {
    public var name: String
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// The stream `POST /v1/functions/{name}` answers: one JSON line per input row, in input order.
public enum FunctionStream {
    /// Starts the last line of a call that failed after results began (never a JSON value, so never
    /// taken for a result); the rest of the line says why.
    public static let errorLinePrefix = "floe-error: "
}
