import CLibPQ
import Foundation

/// One PostgreSQL connection with a blocking API.
///
/// Every call blocks its thread until PostgreSQL answers, so a `BlockingConnection` lives on a
/// thread of its own (see `PostgresConnection`), never on a NIO event loop or Swift's cooperative
/// pool. It is not `Sendable`: one thread uses it at a time.
public final class BlockingConnection {
    let handle: PGHandle

    var pointer: OpaquePointer { handle.pointer }

    /// Connects with a libpq URI (`postgresql://user@host:port/db?…`) or a conninfo string
    /// (`host=… dbname=…`), then sets the session to UTC and ISO dates so that timestamps decode
    /// the same everywhere.
    public init(_ conninfo: String, applicationName: String = "pacer") throws {
        guard let raw = PQconnectdb(conninfo) else {
            throw PostgresError(kind: .connection, message: "out of memory while connecting")
        }
        guard PQstatus(raw) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(raw)) ?? "connection failed"
            PQfinish(raw)
            throw PostgresError(kind: .connection, message: message)
        }
        // Only a good connection is stored: `PGHandle.deinit` is then the single PQfinish.
        handle = PGHandle(pointer: raw)
        // A failure here leaves `handle` to close the connection.
        try execute(
            unsafeSQL: "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET client_min_messages = warning; SET application_name = '\(applicationName.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })'"
        )
    }

    /// True while libpq believes the connection is usable.
    public var isHealthy: Bool { PQstatus(pointer) == CONNECTION_OK }

    /// True when no transaction is open (a pool only takes back idle connections).
    public var isIdle: Bool { PQtransactionStatus(pointer) == PQTRANS_IDLE }

    /// The server's backend process id.
    public var backendPID: Int32 { PQbackendPID(pointer) }

    /// Runs one parameterised statement (`$1`, `$2`, …) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> QueryResult {
        let result = withParameters(parameters) { types, values in
            PQexecParams(pointer, sql, Int32(parameters.count), types, values, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs a script of one or more statements separated by semicolons, without parameters.
    /// Use it for migrations and fixed SQL only; it takes no user input.
    public func execute(unsafeSQL script: String) throws {
        _ = try consume(PQexec(pointer, script))
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(_ body: (BlockingConnection) throws -> T) throws -> T {
        try execute(unsafeSQL: "BEGIN")
        do {
            let value = try body(self)
            try execute(unsafeSQL: "COMMIT")
            return value
        } catch {
            if isHealthy { try? execute(unsafeSQL: "ROLLBACK") }
            throw error
        }
    }

    /// Binds parameters as NUL-terminated C strings that live for the duration of `body`.
    func withParameters<R>(
        _ parameters: [any PostgresEncodable],
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) throws -> R
    ) rethrows -> R {
        if parameters.isEmpty { return try body(nil, nil) }
        let types: [Oid] = parameters.map { type(of: $0).postgresType }
        let values: [UnsafeMutablePointer<CChar>?] = parameters.map { parameter in
            parameter.postgresText.map { strdup($0) } ?? nil
        }
        defer { values.forEach { free($0) } }
        let constValues = values.map { UnsafePointer($0) }
        return try types.withUnsafeBufferPointer { typeBuffer in
            try constValues.withUnsafeBufferPointer { valueBuffer in
                try body(typeBuffer.baseAddress, valueBuffer.baseAddress)
            }
        }
    }

    /// Turns a `PGresult` into a `QueryResult` or an error, clearing it in every case.
    func consume(_ raw: OpaquePointer?) throws -> QueryResult {
        guard let raw else { throw connectionError() }
        let result = PGResultHandle(raw)
        switch PQresultStatus(raw) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE, PGRES_PIPELINE_SYNC:
            return Self.read(result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            throw PostgresError(kind: .protocolViolation, message: "COPY statements go through copyIn(_:_:)")
        default:
            throw serverError(raw)
        }
    }

    static func read(_ result: PGResultHandle) -> QueryResult {
        let raw = result.pointer
        let columnCount = Int(PQnfields(raw))
        let rowCount = Int(PQntuples(raw))
        let columns = (0..<columnCount).map { String(cString: PQfname(raw, Int32($0))) }
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for rowIndex in 0..<rowCount {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(raw, Int32(rowIndex), Int32(column)) == 1 {
                    values.append(nil)
                } else {
                    values.append(String(cString: PQgetvalue(raw, Int32(rowIndex), Int32(column))))
                }
            }
            rows.append(Row(values: values, columns: columns))
        }
        let tuples = String(cString: PQcmdTuples(raw))
        return QueryResult(
            columns: columns, rows: rows, affectedRows: Int(tuples) ?? 0,
            commandTag: String(cString: PQcmdStatus(raw)))
    }

    func serverError(_ raw: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(raw, Int32(code.asciiValue ?? 0)) else { return nil }
            return String(cString: value)
        }
        guard let sqlState = field("C") else {
            // No SQLSTATE: libpq itself failed, usually because the connection broke.
            var error = connectionError()
            if let message = Self.trimmed(PQresultErrorMessage(raw)), !message.isEmpty { error.message = message }
            return error
        }
        return PostgresError(
            kind: .server, message: field("M") ?? "error", sqlState: sqlState, detail: field("D"),
            hint: field("H"), position: field("P").flatMap { Int($0) }, constraint: field("n"))
    }

    func connectionError() -> PostgresError {
        let message = Self.trimmed(PQerrorMessage(pointer)) ?? "connection error"
        return PostgresError(kind: isHealthy ? .protocolViolation : .connectionLost, message: message)
    }

    static func trimmed(_ text: UnsafePointer<CChar>?) -> String? {
        guard let text else { return nil }
        return String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
