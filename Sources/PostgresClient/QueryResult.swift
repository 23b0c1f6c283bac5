/// The rows a statement returned, copied out of libpq so that they outlive the connection.
public struct QueryResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// The rows, each holding its values in text format (nil for NULL).
    public let rows: [Row]
    /// Rows affected by INSERT/UPDATE/DELETE/COPY, from the command tag; 0 when there is none.
    public let affectedRows: Int
    /// The command tag, such as `INSERT 0 1`.
    public let commandTag: String

    init(columns: [String], rows: [Row], affectedRows: Int, commandTag: String) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        self.commandTag = commandTag
    }

    /// The only row; throws when there is not exactly one.
    public func single() throws -> Row {
        guard rows.count == 1 else {
            throw PostgresError(kind: .decoding, message: "expected one row, got \(rows.count)")
        }
        return rows[0]
    }

    /// The first row's first column decoded as `T`; throws when there is no row.
    public func scalar<T: PostgresDecodable>(_ type: T.Type = T.self) throws -> T {
        guard let row = rows.first else {
            throw PostgresError(kind: .decoding, message: "expected a row, got none")
        }
        return try row.decode(type, at: 0)
    }
}

/// One row of a `QueryResult`.
public struct Row: Sendable {
    /// Values in text format, nil for NULL.
    public let values: [String?]
    let columns: [String]

    init(values: [String?], columns: [String]) {
        self.values = values
        self.columns = columns
    }

    /// The value of column `index` decoded as `T` (an Optional type accepts NULL).
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard values.indices.contains(index) else {
            throw PostgresError(kind: .decoding, message: "column index \(index) out of range (\(values.count) columns)")
        }
        guard let text = values[index] else { return try T.postgresNull() }
        return try T(postgresText: text)
    }

    /// The value of the column named `name` decoded as `T`.
    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, named name: String) throws -> T {
        guard let index = columns.firstIndex(of: name) else {
            throw PostgresError(kind: .decoding, message: "no column named \(name)")
        }
        return try decode(type, at: index)
    }

    /// Decodes column `index`; `row[0]` reads naturally where the type is inferred.
    public subscript<T: PostgresDecodable>(index: Int) -> T {
        get throws { try decode(T.self, at: index) }
    }

    /// Decodes the column named `name`.
    public subscript<T: PostgresDecodable>(name: String) -> T {
        get throws { try decode(T.self, named: name) }
    }
}
