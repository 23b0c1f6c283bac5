import CLibPQ
import Foundation

/// A NOTIFY received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Equatable {
    /// The channel name.
    public var channel: String
    /// The payload (empty when NOTIFY had none).
    public var payload: String
    /// The backend process that sent it.
    public var senderPID: Int32

    public init(channel: String, payload: String, senderPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.senderPID = senderPID
    }
}

extension BlockingConnection {
    /// Starts listening on `channel` (quoted as an identifier).
    public func listen(_ channel: String) throws {
        try execute(unsafeSQL: "LISTEN \(Self.quoteIdentifier(channel))")
    }

    /// Sends a notification through `pg_notify`, which takes the channel as a parameter.
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Notifications that have arrived, after waiting up to `timeout` seconds for the socket.
    /// `wakeFD`, when given, ends the wait early as soon as it becomes readable.
    public func waitForNotifications(timeout: Double, wakeFD: Int32? = nil) throws -> [PostgresNotification] {
        var notifications = drainNotifications()
        if !notifications.isEmpty { return notifications }
        let socket = PQsocket(pointer)
        guard socket >= 0 else { throw connectionError() }
        var descriptors = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
        if let wakeFD { descriptors.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(timeout * 1000))
        if ready < 0, errno != EINTR {
            throw PostgresError(kind: .connectionLost, message: "poll failed: errno \(errno)")
        }
        if descriptors[0].revents != 0 {
            guard PQconsumeInput(pointer) == 1 else { throw connectionError() }
            notifications = drainNotifications()
        }
        return notifications
    }

    func drainNotifications() -> [PostgresNotification] {
        var notifications: [PostgresNotification] = []
        while let raw = PQnotifies(pointer) {
            defer { PQfreemem(raw) }
            notifications.append(
                PostgresNotification(
                    channel: String(cString: raw.pointee.relname),
                    payload: raw.pointee.extra.map { String(cString: $0) } ?? "",
                    senderPID: raw.pointee.be_pid))
        }
        return notifications
    }

    /// Quotes an identifier the way PostgreSQL's `quote_ident` does.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
