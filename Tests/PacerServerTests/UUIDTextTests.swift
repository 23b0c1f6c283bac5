import Foundation
import Testing

@testable import PacerServer

/// The decide route's UUID reader agrees with Foundation's on every form it accepts and refuses.
@Suite struct UUIDTextTests {
    func parse(_ text: String) -> UUID? {
        Array(text.utf8).withUnsafeBufferPointer { UUID(text: $0) }
    }

    func scan(_ json: String) throws -> UUID? {
        try Array(json.utf8).withUnsafeBufferPointer { bytes in
            var scanner = JSONScanner(bytes)
            return try scanner.parseUUID()
        }
    }

    @Test func agreesWithFoundation() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let uuid = UUID()
            let text = Bool.random(using: &random) ? uuid.uuidString : uuid.uuidString.lowercased()
            #expect(parse(text) == uuid)
        }
        for text in [
            "", "00000000-0000-0000-0000-00000000000", "00000000-0000-0000-0000-0000000000000", "00000000+0000-0000-0000-000000000000",
            "0000000-00000-0000-0000-000000000000", "g0000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-00000000000G",
            "{0000000-0000-0000-0000-000000000000}",
        ] {
            #expect(parse(text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "\(text)")
        }
        #expect(parse("FFFFFFFF-ffff-0000-aAbB-0123456789ab") == UUID(uuidString: "FFFFFFFF-ffff-0000-aAbB-0123456789ab"))
    }

    @Test func theScannerReadsPlainAndEscapedForms() throws {
        let id = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        #expect(try scan("\"\(id)\"") == UUID(uuidString: id))
        #expect(try scan("\"\\u0033f2504e0-4f89-11d3-9a0c-0305e82c3301\"") == UUID(uuidString: id))
        #expect(try scan("\"not a uuid\"") == nil)
        #expect(try scan("\"\(id)x\"") == nil)
        #expect(throws: JSONSyntaxError.self) { try scan("\"\(id)") }
    }
}
