/// An error from PostgreSQL or from talking to it.
///
/// `description` is a single line meant for operators and logs. HTTP layers must not copy it into
/// response bodies: it can carry SQL text and values.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, broadly.
    public enum Kind: String, Sendable {
        /// The connection could not be made (bad conninfo, server unreachable, authentication).
        case connection
        /// The connection broke while in use.
        case connectionLost
        /// The server rejected a statement; `sqlState` says why.
        case server
        /// A value could not be decoded into the requested Swift type.
        case decoding
        /// The pool had no connection free within its timeout.
        case poolTimeout
        /// The pool or connection has been shut down.
        case closed
        /// The client used the API wrongly (for example COPY data outside COPY).
        case protocolViolation
    }

    public var kind: Kind
    /// The five-character SQLSTATE code, when the server sent one.
    public var sqlState: String?
    /// The primary message.
    public var message: String
    /// The server's DETAIL field.
    public var detail: String?
    /// The server's HINT field.
    public var hint: String?
    /// 1-based character offset into the statement where the error was found.
    public var position: Int?
    /// Name of the constraint involved, for constraint violations.
    public var constraint: String?

    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil,
        hint: String? = nil, position: Int? = nil, constraint: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.position = position
        self.constraint = constraint
    }

    public var description: String {
        var text = message
        if let sqlState { text = "\(sqlState): \(text)" }
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        if let position { text += " at character \(position)" }
        return text
    }

    /// True for a unique-violation (23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// True when retrying on a fresh connection may succeed: lost connections, admin shutdown,
    /// serialization failures and deadlocks.
    public var isTransient: Bool {
        switch kind {
        case .connection, .connectionLost, .poolTimeout: return true
        case .server:
            guard let sqlState else { return false }
            return sqlState == "40001" || sqlState == "40P01" || sqlState.hasPrefix("08")
                || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
        default: return false
        }
    }
}
