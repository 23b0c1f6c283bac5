import Foundation

/// A thread that runs submitted jobs one after another.
///
/// libpq blocks, so each connection gets one of these instead of borrowing a thread from the
/// cooperative pool or a NIO event loop. Invariant: `jobs` and `stopping` are read and written
/// only while `condition` is locked.
final class WorkerThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    /// Key under which a worker thread's name is kept in its `threadDictionary`.
    static let markerKey = "pacer.postgres.worker"

    /// The name of the worker thread running the caller, or nil on any other thread.
    static var currentName: String? { Thread.current.threadDictionary[markerKey] as? String }

    init(name: String) {
        let thread = Thread { [self] in
            Thread.current.threadDictionary[Self.markerKey] = name
            run()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Queues `job`; false when the thread is stopping and the job will not run.
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Lets queued jobs finish, then ends the thread.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
