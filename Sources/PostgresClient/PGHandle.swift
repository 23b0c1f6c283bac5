import CLibPQ

/// Owns one `PGconn *`.
///
/// Invariant: a handle is used by one thread at a time. `BlockingConnection` is its only owner and
/// is itself confined to one thread (a `PostgresConnection`'s worker thread, or the caller of a
/// synchronous API). The pointer is stored only after the connection succeeded, so `deinit` is the
/// one place that calls `PQfinish`.
final class PGHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        PQfinish(pointer)
    }
}

/// Owns one `PGresult *` for the duration of a read; `PQclear` runs in `deinit`.
final class PGResultHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        PQclear(pointer)
    }
}
