import AsyncHTTPClient
import Foundation
import NIOCore

/// Sends a batch to its partner over HTTP: a POST in the partner's format with its headers and
/// `Idempotency-Key: BATCH_ID`, bounded by the partner's timeout.
struct ClickDeliverer: Sendable {
    let client: HTTPClient

    func deliver(_ batch: ClaimedBatch, now: @Sendable () -> Date) async -> DeliveryOutcome {
        let body: (bytes: [UInt8], contentType: String)
        do {
            body = try BatchBody.render(payload: batch.payload, format: batch.format, columns: batch.columns)
        } catch {
            return DeliveryOutcome(verdict: .dead, error: "the batch cannot be formatted: \(error)")
        }
        var request = HTTPClientRequest(url: batch.endpointURL)
        request.method = .POST
        for header in batch.headers { request.headers.add(name: header.name, value: header.value) }
        request.headers.replaceOrAdd(name: "Content-Type", value: body.contentType)
        request.headers.replaceOrAdd(name: "Idempotency-Key", value: batch.id.uuidString.lowercased())
        request.headers.replaceOrAdd(name: "User-Agent", value: "Pacer")
        request.body = .bytes(ByteBuffer(bytes: body.bytes))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(batch.timeoutMilliseconds)))
            // Read (and drop) the answer so the connection can be reused.
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return DeliveryOutcome.response(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), now: now())
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .failure("timeout after \(batch.timeoutMilliseconds) ms")
        } catch is CancellationError {
            return .failure("cancelled")
        } catch {
            return .failure("request failed: \(String(describing: error).prefix(200))")
        }
    }
}
