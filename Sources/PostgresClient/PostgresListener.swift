import Foundation
import Logging

/// What a listener reports.
public enum ListenerEvent: Sendable, Equatable {
    /// The connection is up and LISTENs on every channel; the cache may be (re)loaded now, since
    /// notifications from here on will arrive.
    case listening(backendPID: Int32)
    /// A notification on one of the channels.
    case notification(PostgresNotification)
}

/// LISTEN on a dedicated connection and thread, delivering notifications as an async sequence.
///
/// The sequence ends with an error when the connection breaks: notifications sent while a
/// listener is away are lost, so a consumer reconnects and then reloads whatever it caches.
public enum PostgresListener {
    /// Connects, LISTENs on `channels`, yields `.listening`, then each notification. Cancelling the consuming
    /// task (or dropping the sequence) closes the connection within `pollInterval`.
    public static func notifications(
        conninfo: String, channels: [String], applicationName: String = "pacer-listener",
        pollInterval: Double = 0.5
    ) -> AsyncThrowingStream<ListenerEvent, any Error> {
        AsyncThrowingStream { continuation in
            let control = ListenerControl()
            continuation.onTermination = { _ in control.stop() }
            let thread = Thread {
                defer { control.close() }
                do {
                    let connection = try BlockingConnection(conninfo, applicationName: applicationName)
                    for channel in channels { try connection.listen(channel) }
                    continuation.yield(.listening(backendPID: connection.backendPID))
                    while !control.isStopped {
                        for notification in try connection.waitForNotifications(timeout: pollInterval, wakeFD: control.readFD) {
                            continuation.yield(.notification(notification))
                        }
                        if !connection.isHealthy {
                            throw PostgresError(kind: .connectionLost, message: "listener connection lost")
                        }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.name = "postgres-listener"
            thread.start()
        }
    }
}

/// A stop flag plus a pipe whose read end wakes the listener's `poll` at once.
/// Invariant: `stopped` is guarded by `lock`; the descriptors are closed once, by the thread.
final class ListenerControl: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    let readFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) != 0 { fds = [-1, -1] }
        readFD = fds[0]
        writeFD = fds[1]
    }

    var isStopped: Bool { lock.withLock { stopped } }

    func stop() {
        lock.withLock {
            guard !stopped else { return }
            stopped = true
            var byte: UInt8 = 1
            _ = write(writeFD, &byte, 1)
        }
    }

    func close() {
        stop()
        lock.withLock {
            _ = Glibc.close(readFD)
            _ = Glibc.close(writeFD)
        }
    }
}
