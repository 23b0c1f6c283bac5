import PacingEngine
import Testing

@Suite("Ledger and reservations")
struct LedgerTests {
    @Test func reservationsHoldBudgetUntilTheyExpire() {
        var ledger = Ledger(dayBudget: 100)
        ledger.reserve(40, until: 10, requestID: "a")
        ledger.reserve(40, until: 20, requestID: "b")
        #expect(ledger.reserved == 80 && ledger.available == 20)
        #expect(!ledger.fits(21) && ledger.fits(20))
        ledger.expire(now: 9.99)
        #expect(ledger.reserved == 80)
        ledger.expire(now: 10)
        #expect(ledger.reserved == 40)
        ledger.expire(now: 25)
        #expect(ledger.reserved == 0 && ledger.available == 100)
    }

    @Test func winNoticeReleasesItsReservationById() {
        var ledger = Ledger(dayBudget: 100)
        ledger.reserve(30, until: 10, requestID: "a")
        ledger.reserve(50, until: 10, requestID: "b")
        ledger.recordSpend(20, requestID: "b")
        #expect(ledger.spent == 20 && ledger.reserved == 30 && ledger.available == 50)
        // An unknown or repeated id releases nothing but still counts the spend.
        ledger.recordSpend(5, requestID: "b")
        #expect(ledger.spent == 25 && ledger.reserved == 30)
    }

    @Test func winNoticeWithoutIdReleasesTheOldestLargeEnoughReservation() {
        var ledger = Ledger(dayBudget: 1_000)
        ledger.reserve(10, until: 10, requestID: nil)
        ledger.reserve(50, until: 11, requestID: nil)
        ledger.reserve(60, until: 12, requestID: nil)
        ledger.recordSpend(40, requestID: nil)
        #expect(ledger.reserved == 70)  // the 50 went
        ledger.expire(now: 11)
        #expect(ledger.reserved == 60)
    }

    @Test func bookGrowsAndWrapsAround() {
        var book = ReservationBook(capacity: 2)
        var expected: Micros = 0
        for round in 0..<50 {
            for index in 0..<(round % 7 + 1) {
                book.reserve(Micros(index + 1), until: Double(round), requestID: "\(round)-\(index)")
                expected += Micros(index + 1)
            }
            if round % 3 == 0 { expected -= book.release(requestID: "\(round)-0", spend: 0) ?? 0 }
            #expect(book.total == expected)
            if round % 5 == 4 {
                book.expire(now: Double(round))
                expected = 0
                #expect(book.total == 0 && book.count == 0)
            }
        }
    }

    @Test func leaseLimitsTheCeiling() {
        var ledger = Ledger(dayBudget: 1_000)
        ledger.setLease(300)
        #expect(ledger.ceiling == 300 && ledger.fits(300) && !ledger.fits(301))
        ledger.setLease(5_000)
        #expect(ledger.ceiling == 1_000)
        ledger.setLease(nil)
        #expect(ledger.ceiling == 1_000)
    }

    @Test func newDayStartsEmpty() {
        var ledger = Ledger(dayBudget: 1_000)
        ledger.reserve(10, until: 100, requestID: nil)
        ledger.recordSpend(500, requestID: "x")
        ledger.startDay(budget: 800)
        #expect(ledger.spent == 0 && ledger.reserved == 0 && ledger.dayBudget == 800 && ledger.available == 800)
    }
}
