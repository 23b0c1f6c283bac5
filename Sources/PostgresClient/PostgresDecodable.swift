import Foundation

/// A Swift type that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-null value from its text representation.
    init(postgresText text: String) throws
    /// The value for SQL NULL. Throws unless the type is optional.
    static func postgresNull() throws -> Self
}

extension PostgresDecodable {
    public static func postgresNull() throws -> Self {
        throw PostgresError(kind: .decoding, message: "unexpected NULL for \(Self.self)")
    }
}

func decodingError<T>(_ text: String, _ type: T.Type) -> PostgresError {
    PostgresError(kind: .decoding, message: "cannot decode \(String(text.prefix(64)).debugDescription) as \(type)")
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String) throws {
        self = .some(try Wrapped(postgresText: text))
    }

    public static func postgresNull() throws -> Self { nil }
}

extension String: PostgresDecodable {
    public init(postgresText text: String) throws { self = text }
}

extension Int64: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let value = Int64(text) else { throw decodingError(text, Int64.self) }
        self = value
    }
}

extension Int32: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let value = Int32(text) else { throw decodingError(text, Int32.self) }
        self = value
    }
}

extension Int: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let value = Int(text) else { throw decodingError(text, Int.self) }
        self = value
    }
}

extension Bool: PostgresDecodable {
    public init(postgresText text: String) throws {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(text, Bool.self)
        }
    }
}

extension Double: PostgresDecodable {
    public init(postgresText text: String) throws {
        switch text {
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        case "NaN": self = .nan
        default:
            guard let value = Double(text) else { throw decodingError(text, Double.self) }
            self = value
        }
    }
}

extension UUID: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let value = UUID(uuidString: text) else { throw decodingError(text, UUID.self) }
        self = value
    }
}

extension Date: PostgresDecodable {
    /// Reads a `timestamptz` in ISO style (the session's DateStyle is set to ISO and its time
    /// zone to UTC when a connection opens, but any offset is honoured).
    public init(postgresText text: String) throws {
        guard let value = TimestampText.parse(text) else { throw decodingError(text, Date.self) }
        self = value
    }
}

extension PostgresDate: PostgresDecodable {
    public init(postgresText text: String) throws {
        guard let value = PostgresDate(iso: text) else { throw decodingError(text, PostgresDate.self) }
        self = value
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Reads a one-dimensional array literal such as `{1,2,NULL}` or `{"a b","c"}`.
    public init(postgresText text: String) throws {
        guard let elements = ArrayText.parse(text) else { throw decodingError(text, [Element].self) }
        self = try elements.map { element in
            if let element { try Element(postgresText: element) } else { try Element.postgresNull() }
        }
    }
}
