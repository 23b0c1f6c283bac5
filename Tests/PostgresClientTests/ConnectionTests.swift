import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite struct ConnectionTests {
    @Test func badConnectionStringsGiveClearErrors() throws {
        let malformed = #expect(throws: PostgresError.self) { try BlockingConnection("postgresql://[not a url") }
        #expect(malformed?.kind == .connection)
        #expect(malformed?.message.isEmpty == false)

        let unknownOption = #expect(throws: PostgresError.self) { try BlockingConnection("hostt=localhost") }
        #expect(unknownOption?.message.contains("hostt") == true)

        // Port 1 on loopback: nothing listens there.
        let refused = #expect(throws: PostgresError.self) {
            try BlockingConnection("host=127.0.0.1 port=1 connect_timeout=2")
        }
        #expect(refused?.kind == .connection)
    }

    @Test func serverErrorsCarrySQLStateDetailAndPosition() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            let syntax = #expect(throws: PostgresError.self) { try connection.query("SELECT 1 FROMM nowhere") }
            #expect(syntax?.sqlState == "42601")
            #expect(syntax?.position == 16)  // "nowhere": FROMM reads as a column alias

            try connection.execute(unsafeSQL: "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY)")
            try connection.query("INSERT INTO t VALUES ($1)", [Int32(1)])
            let duplicate = #expect(throws: PostgresError.self) { try connection.query("INSERT INTO t VALUES ($1)", [Int32(1)]) }
            #expect(duplicate?.isUniqueViolation == true)
            #expect(duplicate?.constraint == "t_pk")
            #expect(duplicate?.detail?.contains("(id)=(1)") == true)
            // The connection stays usable after an error.
            #expect(try connection.query("SELECT count(*) FROM t").scalar(Int64.self) == 1)
        }
    }

    @Test func transactionsCommitOrRollBack() async throws {
        struct Boom: Error {}
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try connection.execute(unsafeSQL: "CREATE TABLE t (v int)")
            try connection.transaction { try $0.query("INSERT INTO t VALUES (1)") }
            #expect(throws: Boom.self) {
                try connection.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (2)")
                    throw Boom()
                }
            }
            #expect(throws: PostgresError.self) {
                try connection.transaction { connection in
                    try connection.query("INSERT INTO t VALUES (3)")
                    try connection.query("INSERT INTO t VALUES ('x')")
                }
            }
            #expect(try connection.query("SELECT array_agg(v) FROM t").scalar([Int64].self) == [1])
            #expect(connection.isIdle)
        }
    }

    @Test func multiStatementScriptsRun() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try connection.execute(unsafeSQL: """
                CREATE TABLE a (v int);
                INSERT INTO a VALUES (1), (2);
                CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT x * 2; $$;
                """)
            #expect(try connection.query("SELECT sum(twice(v)) FROM a").scalar(Int64.self) == 6)
        }
    }

    @Test func copyFromStdinLoadsRowsAndAbortsCleanly() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try connection.execute(unsafeSQL: "CREATE TABLE clicks (id int, note text)")
            let copied = try connection.copyIn("COPY clicks (id, note) FROM STDIN") { write in
                for id in 1...1000 { try write(ArraySlice("\(id)\tnote \(id)\n".utf8)) }
            }
            #expect(copied == 1000)

            struct Stop: Error {}
            #expect(throws: Stop.self) {
                try connection.copyIn("COPY clicks (id, note) FROM STDIN") { write in
                    try write(ArraySlice("5000\tkept?\n".utf8))
                    throw Stop()
                }
            }
            let bad = #expect(throws: PostgresError.self) {
                try connection.copyIn("COPY clicks (id, note) FROM STDIN") { write in
                    try write(ArraySlice("6000\tfine\nnot-a-number\tbad\n".utf8))
                }
            }
            #expect(bad?.sqlState == "22P02")
            #expect(try connection.query("SELECT count(*), max(id) FROM clicks").single().decode(Int64.self, at: 0) == 1000)
            #expect(try connection.query("SELECT 1").scalar(Int64.self) == 1)
        }
    }

    @Test func pipelinesRunInOneRoundTripAndFailAsAWhole() async throws {
        try await withTestDatabase { database in
            let connection = try BlockingConnection(database.url)
            try connection.execute(unsafeSQL: "CREATE TABLE counters (k text PRIMARY KEY, n int8)")
            let results = try connection.pipeline([
                Statement("INSERT INTO counters VALUES ($1, $2)", ["a", Int64(1)]),
                Statement("INSERT INTO counters VALUES ($1, $2)", ["b", Int64(2)]),
                Statement("SELECT sum(n) FROM counters"),
            ])
            #expect(results.count == 3)
            #expect(try results[2].scalar(Int64.self) == 3)

            let error = #expect(throws: PostgresError.self) {
                try connection.pipeline([
                    Statement("UPDATE counters SET n = n + 10 WHERE k = $1", ["a"]),
                    Statement("INSERT INTO counters VALUES ($1, $2)", ["a", Int64(5)]),
                    Statement("UPDATE counters SET n = n + 10 WHERE k = $1", ["b"]),
                ])
            }
            #expect(error?.isUniqueViolation == true)
            #expect(try connection.query("SELECT sum(n) FROM counters").scalar(Int64.self) == 3)
        }
    }
}
