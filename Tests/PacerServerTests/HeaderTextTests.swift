import Testing

@testable import PacerServer

@Suite struct HeaderTextTests {
    @Test func headerValuesLoseOnlySurroundingSpacesAndTabs() {
        #expect(Substring(" \t secret-token \t").trimmingHeaderWhitespace == "secret-token")
        #expect(Substring("a b").trimmingHeaderWhitespace == "a b")
        #expect(Substring("   ").trimmingHeaderWhitespace == "")
        #expect(Substring("").trimmingHeaderWhitespace == "")
        #expect(Substring("\u{00A0}x").trimmingHeaderWhitespace == "\u{00A0}x")
    }
}
