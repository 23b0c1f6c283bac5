@testable import Migrations
import Testing

@Suite struct SQLSplitterTests {
    @Test func splitsAtTopLevelSemicolonsOnly() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE a (v text DEFAULT 'x;y');
            /* block; comment */ CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$;
            SELECT "odd;name" FROM a;
            """
        let statements = SQLSplitter.split(script).map(\.sql)
        #expect(statements.count == 3)
        #expect(statements[0].hasSuffix("CREATE TABLE a (v text DEFAULT 'x;y')"))
        #expect(statements[1].hasSuffix("END $body$"))
        #expect(statements[2] == "SELECT \"odd;name\" FROM a")
    }

    @Test func lineAndColumnOfAPosition() {
        let text = "line one\nline two\n  third"
        #expect(MigrationError.location(of: 1, in: text) == (1, 1))
        #expect(MigrationError.location(of: 10, in: text) == (2, 1))
        #expect(MigrationError.location(of: 21, in: text) == (3, 3))
    }

    @Test func fileNamesAreChecked() throws {
        #expect(throws: MigrationError.self) { try MigrationFile(filename: "create.sql", sql: "") }
        let file = try MigrationFile(filename: "0012_add_things.sql", sql: "-- pacer:no-transaction\nSELECT 1;")
        #expect(file.version == 12)
        #expect(file.name == "add_things")
        #expect(file.runsOutsideTransaction)
        #expect(try !MigrationFile(filename: "0013_x.sql", sql: "SELECT 1;\n-- pacer:no-transaction").runsOutsideTransaction)
    }
}
