import PacingEngine
import Testing

@Suite("Money: exact cents and micros")
struct MoneyTests {
    @Test(arguments: [
        ("12", 120_000), ("12.5", 125_000), ("0.0001", 1), ("0", 0), ("-0", 0), ("0.2", 2_000),
        ("1.50000", 15_000), ("1e3", 10_000_000), ("1E+2", 1_000_000), ("25e-4", 25), ("0.5e-3", 5),
        ("922337203685477.5807", Int64.max), ("100.0000", 1_000_000), ("0.0000e5", 0),
    ] as [(String, Int64)])
    func parsesExactly(text: String, micros: Int64) throws {
        #expect(try Money.micros(fromCents: text) == micros)
    }

    @Test(arguments: ["0.00001", "1.23456", "1e-5", "0.00015", "12.00001"])
    func rejectsMoreThanFourDecimals(text: String) {
        #expect(throws: MoneyError.tooManyDecimals) { try Money.micros(fromCents: text) }
    }

    @Test(arguments: ["-1", "-0.0001", "-12.5"])
    func rejectsNegative(text: String) {
        #expect(throws: MoneyError.negative) { try Money.micros(fromCents: text) }
    }

    @Test(arguments: ["922337203685477.5808", "1e20", "99999999999999999999999", "1e100000000"])
    func rejectsOverflow(text: String) {
        #expect(throws: MoneyError.overflow) { try Money.micros(fromCents: text) }
    }

    @Test(arguments: ["", "-", "+1", "01", "1.", ".5", "1e", "1e+", "0x10", " 1", "1 ", "1,5", "NaN", "1.2.3", "--1"])
    func rejectsMalformed(text: String) {
        #expect(throws: MoneyError.malformed) { try Money.micros(fromCents: text) }
    }

    @Test(arguments: [
        (125_000, "12.5"), (1, "0.0001"), (30_000, "3"), (0, "0"), (2_000, "0.2"), (-22_500, "-2.25"),
        (10_010, "1.001"), (Int64.max, "922337203685477.5807"), (Int64.min, "-922337203685477.5808"),
    ] as [(Int64, String)])
    func formatsCanonically(micros: Int64, text: String) {
        #expect(Money.cents(fromMicros: micros) == text)
    }

    @Test func roundTripsEveryMicroInARange() throws {
        for micros in Int64(0)...20_001 {
            #expect(try Money.micros(fromCents: Money.cents(fromMicros: micros)) == micros)
        }
    }

    @Test func appendsBytesWithoutAString() throws {
        var buffer: [UInt8] = Array("{\"spent_cents\":".utf8)
        Money.appendCents(fromMicros: 1_234_567, to: &buffer)
        buffer.append(UInt8(ascii: "}"))
        #expect(String(decoding: buffer, as: UTF8.self) == "{\"spent_cents\":123.4567}")
        #expect(try Money.micros(fromCentsUTF8: Array("123.4567".utf8)) == 1_234_567)
    }

    @Test func errorsHaveCodesAndMessages() {
        #expect(MoneyError.tooManyDecimals.code == "too_many_decimals")
        #expect(MoneyError.tooManyDecimals.description.contains("4 decimal places"))
    }
}
