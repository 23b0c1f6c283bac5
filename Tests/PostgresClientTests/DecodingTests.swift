import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite struct DecodingTests {
    @Test func scalarTypesRoundTripThroughParameters() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let id = UUID()
            let when = Date(timeIntervalSince1970: 1_795_000_000.123456)
            let row = try connection.query(
                "SELECT $1::int8, $2::int4, $3::bool, $4::text, $5::float8, $6::uuid, $7::timestamptz, $8::date",
                [Int64.max, Int32.min, true, "it's \"quoted\" ; DROP TABLE x", 0.1, id, when,
                 PostgresDate(year: 2024, month: 2, day: 29)]
            ).single()
            #expect(try row.decode(Int64.self, at: 0) == Int64.max)
            #expect(try row.decode(Int32.self, at: 1) == Int32.min)
            #expect(try row.decode(Bool.self, at: 2) == true)
            #expect(try row.decode(String.self, at: 3) == "it's \"quoted\" ; DROP TABLE x")
            #expect(try row.decode(Double.self, at: 4) == 0.1)
            #expect(try row.decode(UUID.self, at: 5) == id)
            let decoded = try row.decode(Date.self, at: 6)
            #expect(abs(decoded.timeIntervalSince1970 - when.timeIntervalSince1970) < 0.000_001)
            #expect(try row.decode(PostgresDate.self, at: 7) == PostgresDate(year: 2024, month: 2, day: 29))
        }
    }

    @Test func nullDecodesAsOptionalAndFailsOtherwise() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let row = try connection.query("SELECT NULL::int8 AS missing, 7::int8 AS present").single()
            #expect(try row.decode(Int64?.self, named: "missing") == nil)
            #expect(try row.decode(Int64?.self, named: "present") == 7)
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, named: "missing") }
            let nullParameter: Int64? = nil
            #expect(try connection.query("SELECT $1::int8 IS NULL", [nullParameter]).scalar(Bool.self))
        }
    }

    @Test func arraysRoundTripWithAwkwardElements() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let texts: [String?] = ["plain", "with,comma", "with \"quote\"", "back\\slash", "{braces}", "", nil, "NULL"]
            let decoded = try connection.query("SELECT $1::text[]", [texts]).scalar([String?].self)
            #expect(decoded == texts)
            let numbers: [Int64] = [1, -2, 3_000_000_000_000]
            #expect(try connection.query("SELECT $1::int8[]", [numbers]).scalar([Int64].self) == numbers)
            let ids = [UUID(), UUID()]
            #expect(try connection.query("SELECT $1::uuid[]", [ids]).scalar([UUID].self) == ids)
            #expect(try connection.query("SELECT '{}'::int8[]").scalar([Int64].self) == [])
            #expect(try connection.query("SELECT sum(x) FROM unnest($1::int8[]) x", [numbers]).scalar(Int64.self) == 3_000_000_000_000 - 1)
        }
    }

    @Test func timestampsFromOtherZonesDecodeToTheSameInstant() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try connection.execute(unsafeSQL: "SET TimeZone = 'Asia/Kolkata'")
            let date = try connection.query("SELECT '2026-03-29 01:30:00+00'::timestamptz").scalar(Date.self)
            #expect(date == Date(timeIntervalSince1970: 1_774_747_800))
        }
    }

    @Test func wrongTypeIsADecodingError() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let row = try connection.query("SELECT 'abc'::text").single()
            let error = #expect(throws: PostgresError.self) { try row.decode(Int64.self, at: 0) }
            #expect(error?.kind == .decoding)
            #expect(throws: PostgresError.self) { try row.decode(Int64.self, at: 3) }
        }
    }
}
