/// Amounts held for allowed bids until their win notice arrives or they expire.
///
/// A ring buffer ordered by expiry (every reservation lives equally long, so creation order is
/// expiry order): expiring is popping from the front, amortised O(1), and the buffer stops
/// allocating once it has grown to the campaign's peak. A reservation matched by a win notice is
/// zeroed in place and popped when it reaches the front.
public struct ReservationBook: Sendable {
    private struct Entry: Sendable {
        var amount: Micros
        var expiresAt: Double
        var requestID: String?
    }

    private var entries: [Entry]
    private var head = 0
    /// Live and released entries still in the buffer.
    public private(set) var count = 0
    /// The sum of the amounts still reserved.
    public private(set) var total: Micros = 0

    /// An empty book with room for `capacity` reservations before it grows. The default holds
    /// nothing until the first reservation: most of a server's campaigns are idle at any moment.
    public init(capacity: Int = 0) {
        entries = Array(repeating: Entry(amount: 0, expiresAt: 0, requestID: nil), count: max(0, capacity))
    }

    /// Reserves `amount` until `expiresAt` (seconds since the reference date).
    public mutating func reserve(_ amount: Micros, until expiresAt: Double, requestID: String?) {
        if count == entries.count { grow() }
        entries[(head + count) % entries.count] = Entry(amount: amount, expiresAt: expiresAt, requestID: requestID)
        count += 1
        total += amount
    }

    /// Drops every reservation that expired at or before `now`.
    /// - Returns: the total amount that expired.
    @discardableResult
    public mutating func expire(now: Double) -> Micros {
        let before = total
        while count > 0, entries[head].expiresAt <= now { popFront() }
        return before - total
    }

    /// Releases the reservation a win notice belongs to and returns its amount, or nil when none
    /// matches. With a request id, the newest reservation with that id; without one, the oldest
    /// reservation at least as large as `spend` (a win never costs more than its bid).
    @discardableResult
    public mutating func release(requestID: String?, spend: Micros) -> Micros? {
        guard count > 0 else { return nil }
        let capacity = entries.count
        if let requestID {
            var offset = count - 1
            while offset >= 0 {
                let index = (head + offset) % capacity
                if entries[index].amount > 0, entries[index].requestID == requestID { return take(index) }
                offset -= 1
            }
            return nil
        }
        for offset in 0..<count {
            let index = (head + offset) % capacity
            if entries[index].amount > 0, entries[index].amount >= spend { return take(index) }
        }
        return nil
    }

    /// Drops every reservation.
    public mutating func removeAll() {
        while count > 0 { popFront() }
    }

    private mutating func take(_ index: Int) -> Micros {
        let amount = entries[index].amount
        entries[index].amount = 0
        entries[index].requestID = nil
        total -= amount
        while count > 0, entries[head].amount == 0 { popFront() }
        return amount
    }

    private mutating func popFront() {
        total -= entries[head].amount
        entries[head].amount = 0
        entries[head].requestID = nil
        head = (head + 1) % entries.count
        count -= 1
    }

    private mutating func grow() {
        var larger = Array(repeating: Entry(amount: 0, expiresAt: 0, requestID: nil), count: max(4, entries.count * 2))
        for offset in 0..<count { larger[offset] = entries[(head + offset) % entries.count] }
        entries = larger
        head = 0
    }
}
