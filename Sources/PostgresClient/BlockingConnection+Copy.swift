import CLibPQ

extension BlockingConnection {
    /// Starts `COPY … FROM STDIN`; follow with `putCopyData` calls and one `endCopy`.
    public func beginCopy(_ sql: String) throws {
        guard let raw = PQexec(pointer, sql) else { throw connectionError() }
        let result = PGResultHandle(raw)
        guard PQresultStatus(result.pointer) == PGRES_COPY_IN else {
            if PQresultStatus(result.pointer) == PGRES_FATAL_ERROR { throw serverError(result.pointer) }
            throw PostgresError(kind: .protocolViolation, message: "statement did not start COPY FROM STDIN")
        }
    }

    /// Sends one chunk of COPY data (any split of the byte stream is fine).
    public func putCopyData(_ bytes: some Collection<UInt8>) throws {
        let sent: Int32 = bytes.withContiguousStorageIfAvailable { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                PQputCopyData(pointer, chars.baseAddress, Int32(chars.count))
            }
        } ?? Array(bytes).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                PQputCopyData(pointer, chars.baseAddress, Int32(chars.count))
            }
        }
        guard sent == 1 else { throw connectionError() }
    }

    /// Ends COPY. With `failure` set, the server aborts the COPY and nothing of it is kept.
    /// Returns the number of rows copied.
    @discardableResult
    public func endCopy(failure: String? = nil) throws -> Int {
        guard PQputCopyEnd(pointer, failure) == 1 else { throw connectionError() }
        var firstError: PostgresError?
        var rows = 0
        while let raw = PQgetResult(pointer) {
            let result = PGResultHandle(raw)
            switch PQresultStatus(result.pointer) {
            case PGRES_COMMAND_OK: rows = Self.read(result).affectedRows
            default: if firstError == nil { firstError = serverError(result.pointer) }
            }
        }
        if let firstError { throw firstError }
        return rows
    }

    /// Runs `COPY … FROM STDIN`, feeding it whatever `body` writes; aborts the COPY if `body`
    /// throws. Returns the number of rows copied.
    @discardableResult
    public func copyIn(_ sql: String, _ body: (_ write: (ArraySlice<UInt8>) throws -> Void) throws -> Void) throws -> Int {
        try beginCopy(sql)
        do {
            try body { chunk in try self.putCopyData(chunk) }
        } catch {
            _ = try? endCopy(failure: "client aborted COPY: \(error)")
            throw error
        }
        return try endCopy()
    }
}
