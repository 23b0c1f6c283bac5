import Foundation
import PacingEngine

/// One bid to decide: `{campaign_id, bid_cents, request_id?}`.
struct DecideRequest: Sendable {
    var campaignID: UUID
    var bid: Micros
    var requestID: String?

    /// Parses a single request or a batch (`{requests: [...]}`) straight from the body bytes,
    /// without building a document. Problems name the field (`requests[2].bid_cents`).
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (requests: [DecideRequest], batch: Bool) {
        var scanner = JSONScanner(bytes)
        do {
            guard scanner.consume(UInt8(ascii: "{")) else {
                throw Problem.badRequest("the body must be a JSON object")
            }
            var single = Fields(index: nil)
            var batch: [DecideRequest]?
            if !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("expected a string key") }
                    let key = try scanner.parseString()
                    try scanner.expect(UInt8(ascii: ":"))
                    if key == "requests" {
                        batch = try parseBatch(&scanner)
                    } else {
                        try single.read(key: key, from: &scanner)
                    }
                } while scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error("unexpected data after the JSON value") }
            if let batch { return (batch, true) }
            return ([try single.request()], false)
        } catch let error as JSONSyntaxError {
            throw Problem.badRequest("malformed JSON: \(error)")
        }
    }

    private static func parseBatch(_ scanner: inout JSONScanner) throws -> [DecideRequest] {
        guard scanner.consume(UInt8(ascii: "[")) else {
            throw Problem.invalid([FieldProblem(field: "requests", message: "must be an array")])
        }
        var requests: [DecideRequest] = []
        if scanner.consume(UInt8(ascii: "]")) { return requests }
        repeat {
            guard scanner.consume(UInt8(ascii: "{")) else {
                throw Problem.invalid([FieldProblem(field: "requests[\(requests.count)]", message: "must be an object")])
            }
            var fields = Fields(index: requests.count)
            if !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    guard scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("expected a string key") }
                    let key = try scanner.parseString()
                    try scanner.expect(UInt8(ascii: ":"))
                    try fields.read(key: key, from: &scanner)
                } while scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            requests.append(try fields.request())
            if requests.count > maxBatch {
                throw Problem.invalid([FieldProblem(field: "requests", message: "must hold at most \(maxBatch) requests")])
            }
        } while scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"))
        return requests
    }

    /// Most requests in one batch.
    static let maxBatch = 1000

    private struct Fields {
        /// The request's place in a batch, nil for a single request: problems name the field
        /// (`requests[2].bid_cents`), and the name is only built when there is a problem.
        let index: Int?
        var campaignID: UUID?
        var bid: Micros?
        var requestID: String?
        var problems: [FieldProblem] = []

        func field(_ key: String) -> String {
            index.map { "requests[\($0)]." + key } ?? key
        }

        mutating func read(key: String, from scanner: inout JSONScanner) throws {
            switch key {
            case "campaign_id":
                guard scanner.peek() == UInt8(ascii: "\"") else {
                    try scanner.skipValue()
                    problems.append(FieldProblem(field: field(key), message: "must be a UUID string"))
                    return
                }
                if let id = try scanner.parseUUID() {
                    campaignID = id
                } else {
                    problems.append(FieldProblem(field: field(key), message: "must be a UUID"))
                }
            case "bid_cents":
                guard let byte = scanner.peek(), byte == UInt8(ascii: "-") || (byte >= 0x30 && byte <= 0x39) else {
                    try scanner.skipValue()
                    problems.append(FieldProblem(field: field(key), message: "must be a number of cents"))
                    return
                }
                let range = try scanner.numberRange()
                do {
                    let micros = try Money.micros(fromCentsUTF8: UnsafeBufferPointer(rebasing: scanner.bytes[range]))
                    if micros <= 0 {
                        problems.append(FieldProblem(field: field(key), message: "must be greater than 0"))
                    } else {
                        bid = micros
                    }
                } catch {
                    problems.append(FieldProblem(field: field(key), message: error.description))
                }
            case "request_id":
                if scanner.peek() == UInt8(ascii: "n") {
                    try scanner.skipValue()
                } else if scanner.peek() == UInt8(ascii: "\"") {
                    let text = try scanner.parseString()
                    if text.utf8.count > 200 {
                        problems.append(FieldProblem(field: field(key), message: "must be at most 200 bytes"))
                    } else {
                        requestID = text
                    }
                } else {
                    try scanner.skipValue()
                    problems.append(FieldProblem(field: field(key), message: "must be a string"))
                }
            default:
                try scanner.skipValue()
            }
        }

        func request() throws -> DecideRequest {
            var problems = self.problems
            if campaignID == nil, !problems.contains(where: { $0.field == field("campaign_id") }) {
                problems.append(FieldProblem(field: field("campaign_id"), message: "is required"))
            }
            if bid == nil, !problems.contains(where: { $0.field == field("bid_cents") }) {
                problems.append(FieldProblem(field: field("bid_cents"), message: "is required"))
            }
            guard problems.isEmpty, let campaignID, let bid else { throw Problem.invalid(problems) }
            return DecideRequest(campaignID: campaignID, bid: bid, requestID: requestID)
        }
    }
}
