import Foundation
import PacingEngine
import Testing

@Suite("LocalDate")
struct LocalDateTests {
    @Test func parsesAndFormatsISO() throws {
        let date = try #require(LocalDate(iso: "2024-02-29"))
        #expect(date.year == 2024 && date.month == 2 && date.day == 29)
        #expect(date.iso == "2024-02-29")
        #expect(LocalDate(iso: "2025-02-29") == nil)
        #expect(LocalDate(iso: "2025-13-01") == nil)
        #expect(LocalDate(iso: "2025-1-01") == nil)
        #expect(LocalDate(iso: "2025-01-01T00:00") == nil)
        #expect(LocalDate(year: 7, month: 3, day: 4)?.iso == "0007-03-04")
    }

    @Test func countsDaysAcrossMonthsAndLeapYears() throws {
        let start = try #require(LocalDate(iso: "2024-02-27"))
        #expect(start.adding(days: 3).iso == "2024-03-01")
        #expect(start.adding(days: -58).iso == "2023-12-31")
        #expect(start.days(to: try #require(LocalDate(iso: "2025-02-27"))) == 366)
        #expect(LocalDate(iso: "1970-01-01")?.dayNumber == 0)
        #expect(LocalDate(dayNumber: 20_089).iso == "2025-01-01")
        for number in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(LocalDate(dayNumber: number).dayNumber == number)
        }
    }

    @Test func codesAsISOString() throws {
        let date = try #require(LocalDate(iso: "2025-06-10"))
        let data = try JSONEncoder().encode([date])
        #expect(String(decoding: data, as: UTF8.self) == "[\"2025-06-10\"]")
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [date])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([LocalDate].self, from: Data("[\"10/06/2025\"]".utf8)) }
    }
}
