import Dispatch
import Foundation
import Logging
import Metrics
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The spend journal: where spend events go while PostgreSQL is unreachable.
///
/// Events are appended to the active segment file (`spend-NNNNNNNNNNNNNNNNNNNN.journal` in
/// `PACER_JOURNAL_DIR`) by one writer thread. Appends that arrive together share one write and one
/// `fdatasync` (group commit), and each caller is answered only after its records are on disk.
/// Replay seals the active segment (later appends start a new one), records the sealed segments'
/// events in PostgreSQL — idempotent by event id, so a replay cut short and repeated counts
/// nothing twice — and deletes each segment once its events are committed.
final class SpendJournal: Sendable {
    private enum Job {
        case append([UInt8], events: Int, CheckedContinuation<Void, any Error>)
        case seal(CheckedContinuation<[String], Never>)
        case stop(CheckedContinuation<Void, Never>)
    }

    private struct State {
        var jobs: [Job] = []
        var stopped = false
        /// Events in segments not yet replayed (including the active one).
        var pendingEvents = 0
    }

    /// Invariant: touched only by the writer thread.
    private final class Writer: @unchecked Sendable {
        var descriptor: Int32 = -1
        var sequence: UInt64
        var bytesInSegment = 0
        init(sequence: UInt64) { self.sequence = sequence }
    }

    let directory: String
    let logger: Logger
    private let state = Mutex(State())
    private let signal = DispatchSemaphore(value: 0)
    private let writer: Writer
    /// Holds the folder's lock for the journal's lifetime (released by `close()` or by the process's end).
    private let lockDescriptor: Int32
    private let appended = Counter(label: "pacer_journal_events_appended_total")
    private let fsyncDuration = Metrics.Timer(label: "pacer_journal_fsync_seconds", preferredDisplayUnit: .seconds)
    private let pendingGauge = Gauge(label: "pacer_journal_pending_events")

    /// A journal file operation failed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens the journal in `directory` (created if missing) and starts its writer thread.
    /// Segments left by an earlier run are kept for replay; new appends go to a new segment.
    init(directory: String, logger: Logger) throws {
        self.directory = directory
        self.logger = logger
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "PACER_JOURNAL_DIR \(directory.debugDescription) cannot be created: \(error.localizedDescription)")
        }
        guard access(directory, W_OK) == 0 else {
            throw Failure(description: "PACER_JOURNAL_DIR \(directory.debugDescription) is not writable")
        }
        // One server per journal folder: another one replaying these segments would race this one.
        let lockPath = (directory as NSString).appendingPathComponent(".lock")
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else {
            throw Failure(description: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            closeDescriptor(lock)
            throw Failure(description: "PACER_JOURNAL_DIR \(directory.debugDescription) is in use by another PacerServer; give each server a folder of its own")
        }
        lockDescriptor = lock
        let existing = Self.segments(in: directory)
        writer = Writer(sequence: (existing.last.flatMap { Self.sequence(of: $0) } ?? 0) + 1)
        let pending = existing.reduce(0) { total, path in
            total + ((try? Self.read(path))?.events.count ?? 0)
        }
        state.withLock { $0.pendingEvents = pending }
        pendingGauge.record(pending)
        let thread = Thread { [self] in self.writeLoop() }
        thread.name = "spend-journal"
        thread.start()
    }

    /// Events journaled and not yet replayed.
    var pendingEvents: Int { state.withLock { $0.pendingEvents } }

    /// Appends `events` and returns once they are on disk.
    func append(_ events: [SpendEvent]) async throws {
        guard !events.isEmpty else { return }
        var bytes: [UInt8] = []
        for event in events { bytes += JournalRecord.encode(event) }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.jobs.append(.append(bytes, events: events.count, continuation))
                return true
            }
            if accepted {
                signal.signal()
            } else {
                continuation.resume(throwing: Failure(description: "the spend journal is closed"))
            }
        }
    }

    /// Closes the active segment so that it can be replayed; returns every segment written before
    /// this call, oldest first.
    func seal() async -> [String] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[String], Never>) in
            let accepted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.jobs.append(.seal(continuation))
                return true
            }
            if accepted {
                signal.signal()
            } else {
                continuation.resume(returning: Self.segments(in: directory))
            }
        }
    }

    /// Reads a sealed segment.
    static func read(_ path: String) throws -> JournalRecord.Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "cannot read journal segment \(path)")
        }
        return JournalRecord.decodeAll(Array(data))
    }

    /// Deletes a replayed segment holding `events` events.
    func remove(_ path: String, events: Int) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw Failure(description: "cannot delete journal segment \(path): \(String(cString: strerror(errno)))")
        }
        syncDirectory()
        forget(events: events)
    }

    /// Takes `events` replayed events off the pending count.
    func forget(events: Int) {
        let pending = state.withLock { state in
            state.pendingEvents = max(0, state.pendingEvents - events)
            return state.pendingEvents
        }
        pendingGauge.record(pending)
    }

    /// Stops the writer after the appends already queued, and frees the folder; later appends fail.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let first = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.stopped = true
                state.jobs.append(.stop(continuation))
                return true
            }
            if first {
                signal.signal()
            } else {
                continuation.resume()
            }
        }
    }

    // MARK: The writer thread

    private func writeLoop() {
        while true {
            signal.wait()
            let jobs = state.withLock { state in
                let jobs = state.jobs
                state.jobs = []
                return jobs
            }
            var batch: [UInt8] = []
            var waiting: [(Int, CheckedContinuation<Void, any Error>)] = []
            for job in jobs {
                switch job {
                case .append(let bytes, let events, let continuation):
                    batch += bytes
                    waiting.append((events, continuation))
                case .seal(let continuation):
                    flush(&batch, &waiting)
                    closeSegment()
                    continuation.resume(returning: Self.segments(in: directory))
                case .stop(let continuation):
                    flush(&batch, &waiting)
                    closeSegment()
                    // Everything queued is on disk: the folder is free for the next server.
                    closeDescriptor(lockDescriptor)
                    continuation.resume()
                    return
                }
            }
            flush(&batch, &waiting)
        }
    }

    /// Writes and syncs `batch`, then answers its appenders.
    private func flush(_ batch: inout [UInt8], _ waiting: inout [(Int, CheckedContinuation<Void, any Error>)]) {
        guard !waiting.isEmpty else { return }
        defer {
            batch = []
            waiting = []
        }
        do {
            try openSegmentIfNeeded()
            try writeAll(batch)
            let started = ContinuousClock.now
            guard fdatasync(writer.descriptor) == 0 else { throw Failure(description: "fdatasync: \(String(cString: strerror(errno)))") }
            fsyncDuration.recordNanoseconds(Int64((ContinuousClock.now - started) / .nanoseconds(1)))
            writer.bytesInSegment += batch.count
            let events = waiting.reduce(0) { $0 + $1.0 }
            let pending = state.withLock { state in
                state.pendingEvents += events
                return state.pendingEvents
            }
            pendingGauge.record(pending)
            appended.increment(by: events)
            for (_, continuation) in waiting { continuation.resume() }
        } catch {
            logger.critical("spend journal write failed", metadata: ["journal.dir": "\(directory)", "error": "\(error)"])
            // The segment may now end in a partial record: start a new one for the next appends.
            closeSegment()
            for (_, continuation) in waiting { continuation.resume(throwing: error) }
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return write(writer.descriptor, base + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    private func openSegmentIfNeeded() throws {
        guard writer.descriptor < 0 else { return }
        let path = Self.path(directory, sequence: writer.sequence)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Failure(description: "cannot open journal segment \(path): \(String(cString: strerror(errno)))")
        }
        writer.descriptor = descriptor
        writer.bytesInSegment = 0
        // The new file's directory entry must be durable too.
        syncDirectory()
    }

    private func closeSegment() {
        guard writer.descriptor >= 0 else { return }
        closeDescriptor(writer.descriptor)
        writer.descriptor = -1
        writer.sequence += 1
    }

    private func syncDirectory() {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        closeDescriptor(descriptor)
    }

    // MARK: Segment names

    static func path(_ directory: String, sequence: UInt64) -> String {
        let digits = String(sequence)
        return (directory as NSString).appendingPathComponent(
            "spend-" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".journal")
    }

    static func sequence(of path: String) -> UInt64? {
        let name = (path as NSString).lastPathComponent
        guard name.hasPrefix("spend-"), name.hasSuffix(".journal") else { return nil }
        return UInt64(name.dropFirst(6).dropLast(8))
    }

    /// Segment files in `directory`, oldest first.
    static func segments(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (UInt64, String)? in
            let path = (directory as NSString).appendingPathComponent(name)
            return sequence(of: path).map { ($0, path) }
        }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// `close(2)`, named apart from the journal's own `close()`.
private func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}
