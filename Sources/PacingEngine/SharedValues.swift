import Synchronization

/// Values computed once and shared by every campaign that needs them (days with their hour
/// labels, unlearned forecasts), so that a server holding many campaigns keeps one copy. At most
/// `limit` are kept; past that the cache starts over.
final class SharedValues<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// The shared value for `key`, computed by `compute` the first time.
    func value(for key: Key, compute: () -> Value) -> Value {
        if let known = values.withLock({ $0[key] }) { return known }
        let value = compute()
        values.withLock { values in
            if values.count >= limit { values.removeAll() }
            values[key] = value
        }
        return value
    }
}
