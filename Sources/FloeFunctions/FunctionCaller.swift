import AsyncHTTPClient
import FloeSpec
import NIOCore

/// Calls a service function on a stream of rows: cuts them into batches of `maxBatchRows`, sends
/// several batches at once over the READY instances, and hands the results back in input order.
///
/// Memory stays bounded whatever the input size: rows are read only as batches can be sent, and
/// at most `2 × concurrency` batches (in flight or finished early) are held at a time.
public struct FunctionCaller: Sendable {
    /// The function's name (sent as `sf-external-function-name`).
    public let name: String
    public let function: FunctionSpec
    public let settings: FunctionCallSettings
    let client: HTTPClient
    let backends: FunctionBackendLookup

    /// - Parameters:
    ///   - client: the HTTP client for the upstream calls; it should not retry connection
    ///     establishment (``makeHTTPClient()``), so that a dead instance fails fast and is retried elsewhere.
    ///   - backends: the endpoint's READY instances, waiting up to the given time for one.
    public init(
        name: String, function: FunctionSpec, settings: FunctionCallSettings, client: HTTPClient,
        backends: @escaping FunctionBackendLookup
    ) {
        self.name = name
        self.function = function
        self.settings = settings
        self.client = client
        self.backends = backends
    }

    /// The rows per batch this call uses.
    public var batchRows: Int { function.maxBatchRows ?? FunctionCallSettings.defaultMaxBatchRows }

    /// Calls the function on every row of `rows`. `emit` is called in input order with the results
    /// of consecutive rows, one JSON line per row (`null` for the rows of a batch that failed under
    /// ON_BATCH_FAILURE = RETURN_NULL). Returns the number of rows.
    ///
    /// - Throws: the first ``FunctionCallError``: bad input, a failed batch (ABORT), a wrong answer,
    ///   a timeout; ``FunctionCallError/cancelled`` when `emit` throws or the task is cancelled.
    public func call<Rows: AsyncSequence>(
        _ rows: Rows, emit: (ByteBuffer) async throws -> Void
    ) async throws(FunctionCallError) -> Int where Rows.Element == FunctionRow {
        let sender = BatchSender(
            name: name, function: function, settings: settings, client: client, backends: backends)
        let expected = function.arguments.count
        let batchRows = self.batchRows
        let settings = self.settings
        let initialBackends = await backends(.zero).count
        let concurrency = settings.concurrency ?? min(32, max(4, 4 * initialBackends))
        do {
            return try await withThrowingTaskGroup(of: (Int, BatchSender.Outcome).self) { group in
                var iterator = rows.makeAsyncIterator()
                var inputDone = false
                var rowCount = 0
                var nextBatch = 0
                var nextToEmit = 0
                var inFlight = 0
                var finished: [Int: BatchSender.Outcome] = [:]
                while true {
                    // Start batches while there is room in flight and in the reorder window.
                    while !inputDone && inFlight < concurrency && nextBatch - nextToEmit < 2 * concurrency {
                        var builder = FunctionBatchBuilder()
                        let first = rowCount
                        while builder.count < batchRows {
                            guard let row = try await iterator.next() else {
                                inputDone = true
                                break
                            }
                            guard row.count == expected else {
                                throw FunctionCallError.wrongArgumentCount(
                                    line: rowCount + 1, expected: expected, found: row.count)
                            }
                            builder.add(row)
                            rowCount += 1
                        }
                        guard builder.count > 0 else { break }
                        let batch = FunctionBatch(
                            number: nextBatch, rows: first..<rowCount, body: builder.finish(),
                            id: "\(settings.queryID)-\(nextBatch)")
                        group.addTask { (batch.number, await sender.send(batch)) }
                        nextBatch += 1
                        inFlight += 1
                    }
                    guard inFlight > 0, let (number, outcome) = try await group.next() else { break }
                    inFlight -= 1
                    finished[number] = outcome
                    while let outcome = finished.removeValue(forKey: nextToEmit) {
                        try await emit(try resolve(outcome))
                        nextToEmit += 1
                    }
                }
                return rowCount
            }
        } catch let error as FunctionCallError {
            throw error
        } catch {
            throw .cancelled
        }
    }

    /// The lines a finished batch contributes, or the error that ends the call. RETURN_NULL turns a
    /// batch that failed or timed out into nulls; a wrong answer or no READY instance always fails.
    func resolve(_ outcome: BatchSender.Outcome) throws(FunctionCallError) -> ByteBuffer {
        switch outcome {
        case .results(let lines): return lines
        case .failed(let error):
            switch (function.onBatchFailure, error) {
            case (.returnNull, .batchFailed(_, let rows, _, _)), (.returnNull, .timedOut(_, let rows, _)):
                return BatchAnswer.nulls(rows.count)
            default:
                throw error
            }
        }
    }
}

extension FunctionCaller {
    /// An HTTP client for service-function calls: no retries of connection establishment (a dead
    /// instance fails fast and the batch is retried), 5 s to connect. Shut it down when done.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        configuration.timeout.connect = .seconds(5)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}
