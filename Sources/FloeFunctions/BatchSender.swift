import AsyncHTTPClient
import FloeSpec
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends one batch to the service the way SPCS does: POST to a READY instance, poll a 202 with GET
/// (same batch id), retry transport errors, 429 and 5xx with exponential backoff on another READY
/// instance when there is one, all within BATCH_TIMEOUT_SECS.
struct BatchSender: Sendable {
    let name: String
    let function: FunctionSpec
    let settings: FunctionCallSettings
    let client: HTTPClient
    let backends: FunctionBackendLookup
    let picker = BackendPicker()

    /// How one batch ended.
    enum Outcome: Sendable {
        /// One JSON line per row, in order.
        case results(ByteBuffer)
        case failed(FunctionCallError)
    }

    /// What one exchange with one instance gave.
    enum Exchange {
        case answered([UInt8])
        /// Worth another attempt (transport error, 429, 5xx).
        case retriable(String)
        /// The service refused the batch (another 4xx): retrying would not help.
        case refused(String)
    }

    func send(_ batch: FunctionBatch) async -> Outcome {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(function.batchTimeoutSecs)
        let timedOut = Outcome.failed(
            .timedOut(batch: batch.number, rows: batch.rows, seconds: function.batchTimeoutSecs))
        var attempts = 0
        var lastFailure = ""
        var nothingReady = false
        var avoid: FunctionBackend?
        while attempts <= function.maxBatchRetries {
            if attempts > 0 {
                let delay = settings.backoff(retry: attempts)
                guard clock.now + delay < deadline else { return timedOut }
                do { try await Task.sleep(for: delay) } catch { return .failed(.cancelled) }
            }
            attempts += 1
            guard !Task.isCancelled else { return .failed(.cancelled) }
            let left = deadline - clock.now
            guard left > .zero else { return timedOut }
            let ready = await backends(min(settings.backendWait, left))
            guard let backend = picker.pick(ready, avoiding: avoid) else {
                nothingReady = true
                lastFailure = "no READY instance of \(function.service) serves endpoint '\(function.endpoint)'"
                continue
            }
            nothingReady = false
            let exchange = await self.exchange(batch, with: backend, before: deadline)
            if Task.isCancelled { return .failed(.cancelled) }
            switch exchange {
            case .answered(let body):
                do {
                    return .results(try BatchAnswer.jsonLines(body, rows: batch.rows.count))
                } catch {
                    return .failed(
                        .badResponse(batch: batch.number, rows: batch.rows, reason: "\(error) (from \(backend))"))
                }
            case .retriable(let reason):
                if clock.now >= deadline { return timedOut }
                lastFailure = reason
                avoid = backend
            case .refused(let reason):
                return .failed(.batchFailed(batch: batch.number, rows: batch.rows, attempts: attempts, reason: reason))
            }
        }
        if nothingReady {
            return .failed(
                .noReadyInstance(
                    service: function.service.value, endpoint: function.endpoint,
                    waitedSeconds: Int(settings.backendWait.components.seconds) * attempts))
        }
        return .failed(.batchFailed(batch: batch.number, rows: batch.rows, attempts: attempts, reason: lastFailure))
    }

    /// ``exchange(_:with:deadline:)`` raced against the deadline itself, so a batch is bounded by
    /// BATCH_TIMEOUT_SECS whatever the HTTP client's own timeouts do with a slow answer.
    func exchange(_ batch: FunctionBatch, with backend: FunctionBackend, before deadline: ContinuousClock.Instant)
        async -> Exchange
    {
        await withTaskGroup(of: Exchange?.self) { group in
            group.addTask { await self.exchange(batch, with: backend, deadline: deadline) }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                return Task.isCancelled ? nil : .retriable("BATCH_TIMEOUT_SECS passed")
            }
            var first: Exchange? = nil
            while first == nil, let next = await group.next() { first = next }
            group.cancelAll()
            return first ?? .retriable("cancelled")
        }
    }

    /// POSTs the batch to one instance and polls while it answers 202.
    func exchange(_ batch: FunctionBatch, with backend: FunctionBackend, deadline: ContinuousClock.Instant) async
        -> Exchange
    {
        let url = "http://\(backend.authority)\(function.path)"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers = headers(batch)
        request.body = .bytes(batch.body)
        var poll = settings.pollInterval
        while true {
            let response: HTTPClientResponse
            let body: ByteBuffer
            do {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { return .retriable("BATCH_TIMEOUT_SECS passed") }
                response = try await client.execute(request, timeout: .nanoseconds(Int64(left.nanoseconds)))
                body = try await response.body.collect(upTo: settings.maxResponseBytes)
            } catch let error as NIOTooManyBytesError {
                _ = error
                return .refused("\(backend) answered more than \(settings.maxResponseBytes) bytes")
            } catch {
                return .retriable("could not reach \(backend): \(error)")
            }
            let status = Int(response.status.code)
            switch status {
            case 200:
                return .answered(Array(buffer: body))
            case 202:
                // Still working: poll with GET, same batch id, until it answers.
                do { try await Task.sleep(for: poll) } catch { return .retriable("cancelled") }
                poll = min(poll * 2, settings.maxPollInterval)
                request.method = .GET
                request.body = nil
            case 429, 500...599:
                return .retriable("\(backend) answered HTTP \(status): \(Self.text(body))")
            case _ where request.method == .GET:
                // A poll the instance no longer knows (it restarted, say): send the batch again.
                return .retriable("\(backend) answered a poll with HTTP \(status): \(Self.text(body))")
            default:
                return .refused("\(backend) answered HTTP \(status): \(Self.text(body))")
            }
        }
    }

    func headers(_ batch: FunctionBatch) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "application/json")
        headers.add(name: "sf-external-function-format", value: "json")
        headers.add(name: "sf-external-function-format-version", value: "1.0")
        headers.add(name: "sf-external-function-query-batch-id", value: batch.id)
        headers.add(name: "sf-external-function-current-query-id", value: settings.queryID)
        headers.add(name: "sf-external-function-name", value: name)
        for header in function.contextHeaders {
            if let value = settings.context[header.uppercased()] {
                headers.add(name: FunctionCallSettings.contextHeaderName(header), value: value)
            }
        }
        return headers
    }

    /// The service's error text, on one line and not too long.
    static func text(_ body: ByteBuffer) -> String {
        var text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        text = text.replacingOccurrences(of: "\n", with: " ")
        if text.count > 500 { text = String(text.prefix(500)) + "..." }
        return text.isEmpty ? "(no body)" : text
    }
}

/// Spreads batches over the READY instances in turn, and away from one that just failed.
final class BackendPicker: Sendable {
    private let next = Mutex(0)

    func pick(_ backends: [FunctionBackend], avoiding avoid: FunctionBackend?) -> FunctionBackend? {
        let candidates = backends.count > 1 ? backends.filter { $0 != avoid } : backends
        guard !candidates.isEmpty else { return nil }
        let turn = next.withLock { value in
            defer { value &+= 1 }
            return value
        }
        return candidates[Int(UInt(bitPattern: turn) % UInt(candidates.count))]
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
