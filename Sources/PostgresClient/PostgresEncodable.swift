import Foundation

/// A Swift value that can be sent as a query parameter in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The text representation, or nil for SQL NULL.
    var postgresText: String? { get }
    /// The parameter's type OID; 0 lets the server infer it from the statement.
    static var postgresType: UInt32 { get }
}

extension PostgresEncodable {
    public static var postgresType: UInt32 { 0 }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? { self?.postgresText }
    public static var postgresType: UInt32 { Wrapped.postgresType }
}

extension String: PostgresEncodable {
    public var postgresText: String? { self }
}

extension Substring: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
    public static var postgresType: UInt32 { 20 }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
    public static var postgresType: UInt32 { 23 }
}

extension Int: PostgresEncodable {
    public var postgresText: String? { String(self) }
    public static var postgresType: UInt32 { 20 }
}

extension Bool: PostgresEncodable {
    public var postgresText: String? { self ? "t" : "f" }
    public static var postgresType: UInt32 { 16 }
}

extension Double: PostgresEncodable {
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public static var postgresType: UInt32 { 701 }
}

extension UUID: PostgresEncodable {
    public var postgresText: String? { uuidString.lowercased() }
    public static var postgresType: UInt32 { 2950 }
}

extension Date: PostgresEncodable {
    public var postgresText: String? { TimestampText.format(self) }
    public static var postgresType: UInt32 { 1184 }
}

extension PostgresDate: PostgresEncodable {
    public var postgresText: String? { iso }
    public static var postgresType: UInt32 { 1082 }
}

/// Arrays are sent as one-dimensional array literals. The element type decides the array type.
extension Array: PostgresEncodable where Element: PostgresEncodable {
    public var postgresText: String? { ArrayText.format(map(\.postgresText)) }
    public static var postgresType: UInt32 {
        switch Element.postgresType {
        case 20: return 1016  // int8[]
        case 23: return 1007  // int4[]
        case 16: return 1000  // bool[]
        case 701: return 1022  // float8[]
        case 2950: return 2951  // uuid[]
        case 1184: return 1185  // timestamptz[]
        case 1082: return 1182  // date[]
        default: return 1009  // text[]
        }
    }
}
