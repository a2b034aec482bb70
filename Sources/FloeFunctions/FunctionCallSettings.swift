/// How one call runs, beyond what the function's stage file says.
public struct FunctionCallSettings: Sendable, Hashable {
    /// Rows per batch when the function file sets no `maxBatchRows` (SPCS lets Snowflake choose).
    public static let defaultMaxBatchRows = 1000

    /// `sf-external-function-current-query-id`, and the prefix of every batch id.
    public var queryID: String
    /// Batches in flight at once; nil: 4 per READY instance at the start of the call, 4 to 32.
    public var concurrency: Int?
    /// The first retry's delay; each further retry doubles it, up to `maxRetryBackoff`.
    public var retryBackoff: Duration
    public var maxRetryBackoff: Duration
    /// The first poll's delay after a 202; polls slow down to `maxPollInterval`.
    public var pollInterval: Duration
    public var maxPollInterval: Duration
    /// How long one attempt waits for a READY instance when there is none (an instance restarting).
    public var backendWait: Duration
    /// A larger answer to one batch is an error.
    public var maxResponseBytes: Int
    /// Values of the context headers (`CURRENT_USER`, ...; upper-case names), sent as
    /// `sf-context-current-user: ...` when the function lists them in `contextHeaders`.
    public var context: [String: String]

    public init(
        queryID: String, concurrency: Int? = nil, retryBackoff: Duration = .milliseconds(200),
        maxRetryBackoff: Duration = .seconds(10), pollInterval: Duration = .milliseconds(50),
        maxPollInterval: Duration = .seconds(1), backendWait: Duration = .seconds(30),
        maxResponseBytes: Int = 256 << 20, context: [String: String] = [:]
    ) {
        self.queryID = queryID
        self.concurrency = concurrency
        self.retryBackoff = retryBackoff
        self.maxRetryBackoff = maxRetryBackoff
        self.pollInterval = pollInterval
        self.maxPollInterval = maxPollInterval
        self.backendWait = backendWait
        self.maxResponseBytes = maxResponseBytes
        self.context = context
    }

    /// The delay before retry number `retry` (1-based).
    func backoff(retry: Int) -> Duration {
        var delay = retryBackoff
        for _ in 1..<max(retry, 1) {
            delay = delay * 2
            if delay >= maxRetryBackoff { return maxRetryBackoff }
        }
        return min(delay, maxRetryBackoff)
    }

    /// The header name SPCS uses for a context header: `CURRENT_USER` -> `sf-context-current-user`.
    static func contextHeaderName(_ name: String) -> String {
        "sf-context-" + name.lowercased().replacingOccurrences(of: "_", with: "-")
    }
}
