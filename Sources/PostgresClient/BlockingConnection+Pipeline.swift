import CLibPQ

/// A statement with its parameters, for pipelines and batches.
public struct Statement: Sendable {
    public var sql: String
    public var parameters: [any PostgresEncodable]

    public init(_ sql: String, _ parameters: [any PostgresEncodable] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

extension BlockingConnection {
    /// Sends every statement in one round trip using libpq's pipeline mode and waits for all the
    /// results. The statements between the pipeline's start and its sync run as one implicit
    /// transaction: if one fails, the ones after it are skipped, none of them is kept, and the
    /// first error is thrown. That makes a pipeline the unit of a write-behind flush.
    @discardableResult
    public func pipeline(_ statements: [Statement]) throws -> [QueryResult] {
        if statements.isEmpty { return [] }
        guard PQenterPipelineMode(pointer) == 1 else { throw connectionError() }
        defer { PQexitPipelineMode(pointer) }
        for statement in statements {
            let sent = withParameters(statement.parameters) { types, values in
                PQsendQueryParams(pointer, statement.sql, Int32(statement.parameters.count), types, values, nil, nil, 0)
            }
            guard sent == 1 else { throw connectionError() }
        }
        guard PQpipelineSync(pointer) == 1 else { throw connectionError() }

        var results: [QueryResult] = []
        var firstError: PostgresError?
        // Each statement yields its result followed by a nil; the sync yields PGRES_PIPELINE_SYNC.
        while true {
            guard let raw = PQgetResult(pointer) else {
                if !isHealthy { throw connectionError() }
                continue
            }
            let result = PGResultHandle(raw)
            let status = PQresultStatus(raw)
            if status == PGRES_PIPELINE_SYNC { break }
            switch status {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                results.append(Self.read(result))
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                if firstError == nil { firstError = serverError(raw) }
            }
        }
        if let firstError { throw firstError }
        return results
    }
}
