/// A campaign's money for one day: the day's budget, the ceiling this instance may commit up to,
/// what was spent and what is reserved for bids awaiting their win notice.
///
/// The ceiling is the day's budget until a lease (SPEC section 4) sets a smaller slice. A bid is
/// allowed only if `spent + reserved + bid <= ceiling`, so recorded spend can never pass the
/// ceiling as long as a win costs at most its bid and arrives before its reservation expires.
public struct Ledger: Sendable {
    /// The day's budget.
    public private(set) var dayBudget: Micros
    /// The most that `spent + reserved` may reach on this instance.
    public private(set) var ceiling: Micros
    /// A lease's limit, if one is set; the ceiling is the lesser of it and the day's budget.
    public private(set) var leaseLimit: Micros?
    /// Spend recorded today.
    public private(set) var spent: Micros = 0
    /// Reservations of allowed bids.
    public private(set) var reservations = ReservationBook()
    /// Under a lease: reservations that expired since the last lease refresh. Their bid may have
    /// won at another instance, where the spend was recorded without this ledger knowing, so the
    /// money stays unavailable here until a refresh's snapshot of recorded spend includes it.
    public private(set) var lapsed: Micros = 0

    /// A ledger for a day with this budget and nothing spent.
    public init(dayBudget: Micros, leaseLimit: Micros? = nil) {
        self.dayBudget = dayBudget
        self.leaseLimit = leaseLimit
        self.ceiling = leaseLimit.map { min($0, dayBudget) } ?? dayBudget
    }

    /// Amounts reserved for bids awaiting their win notice.
    public var reserved: Micros { reservations.total }
    /// What may still be committed: `ceiling - spent - reserved`, never below 0.
    public var available: Micros { max(0, ceiling - spent - reserved - lapsed) }
    /// The day's budget less today's spend, never below 0.
    public var remaining: Micros { max(0, dayBudget - spent) }
    /// Spend above the day's budget (0 unless a win cost more than its reservation).
    public var overspend: Micros { max(0, spent - dayBudget) }

    /// Whether a bid fits in what is available.
    @inline(__always)
    public func fits(_ bid: Micros) -> Bool { bid <= ceiling - spent - reservations.total - lapsed }

    /// Holds `bid` for an allowed bid until `expiresAt` or its win notice.
    public mutating func reserve(_ bid: Micros, until expiresAt: Double, requestID: String?) {
        reservations.reserve(bid, until: expiresAt, requestID: requestID)
    }

    /// Drops reservations that have expired.
    @inline(__always)
    public mutating func expire(now: Double) {
        let expired = reservations.expire(now: now)
        if leaseLimit != nil { lapsed += expired }
    }

    /// Forgets `amount` of lapsed reservations: a lease refresh whose snapshot was taken after
    /// they lapsed has counted any spend they led to.
    public mutating func settleLapsed(_ amount: Micros) {
        lapsed = max(0, lapsed - amount)
    }

    /// Records a win: adds `amount` to spend and releases the bid's reservation.
    public mutating func recordSpend(_ amount: Micros, requestID: String?) {
        reservations.release(requestID: requestID, spend: amount)
        spent += amount
    }

    /// Sets today's spend, e.g. from the database at start-up.
    public mutating func seed(spent: Micros) { self.spent = max(0, spent) }

    /// Sets or clears the lease limit.
    public mutating func setLease(_ limit: Micros?) {
        leaseLimit = limit
        ceiling = limit.map { min($0, dayBudget) } ?? dayBudget
    }

    /// Changes the day's budget (a config change mid-day), keeping spend and reservations.
    public mutating func setDayBudget(_ budget: Micros) {
        dayBudget = budget
        ceiling = leaseLimit.map { min($0, budget) } ?? budget
    }

    /// Starts a new day: budget as given, nothing spent or reserved. Under a lease the new day's
    /// lease is empty until the next refresh grants one (a lease belongs to one day).
    public mutating func startDay(budget: Micros) {
        dayBudget = budget
        if leaseLimit != nil { leaseLimit = 0 }
        ceiling = leaseLimit.map { min($0, budget) } ?? budget
        spent = 0
        lapsed = 0
        reservations.removeAll()
    }
}
