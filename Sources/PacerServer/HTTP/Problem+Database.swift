import Logging
import PostgresClient

extension Problem {
    /// Runs a database call for a route: connection trouble becomes a 503 problem, and when
    /// `rejected` names the thing written, a constraint or data error (SQLSTATE 22, 23) becomes a
    /// 400 saying PostgreSQL rejected it. Database error text is logged, never answered; with
    /// `secretValues` (the row holds secrets) only the error's kind and SQLSTATE are logged.
    static func fromDatabase<T>(
        _ subject: String, rejected: String? = nil, secretValues: Bool = false, logger: Logger, _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError {
            let detail = secretValues ? "\(error.kind) \(error.sqlState ?? "")" : "\(error)"
            logger.error("\(subject) query failed", metadata: ["db.error": "\(detail)"])
            if let rejected, error.sqlState?.hasPrefix("23") == true || error.sqlState?.hasPrefix("22") == true {
                throw Problem.badRequest("the \(rejected) was rejected by a database constraint")
            }
            throw Problem.databaseUnavailable
        }
    }
}
