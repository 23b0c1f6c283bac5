/// A migration problem, naming the file and, where PostgreSQL reported one, the line and column.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// The file involved, relative to the db directory (`migrations/0001_x.sql`), if any.
    public var file: String?
    public var message: String
    /// 1-based line of the error in `file`.
    public var line: Int?
    /// 1-based column of the error in `file`.
    public var column: Int?

    public init(file: String? = nil, message: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.message = message
        self.line = line
        self.column = column
    }

    public var description: String {
        var location = file ?? ""
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        return location.isEmpty ? message : "\(location): \(message)"
    }
}

extension MigrationError {
    /// Line and column (1-based) of a 1-based character `position` in `text`, as PostgreSQL counts
    /// characters (code points).
    static func location(of position: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if offset + 1 >= position { break }
            if scalar == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
