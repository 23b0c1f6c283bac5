import PacingEngine
import Testing

@Suite("Seedable generators")
struct RandomTests {
    @Test func splitMixMatchesTheReferenceSequence() {
        var random = SplitMix64(seed: 1_234_567)
        #expect(random.next() == 6_457_827_717_110_365_317)
        #expect(random.next() == 3_203_168_211_198_807_973)
    }

    @Test func xoshiroIsReproducibleAndStreamsDiffer() {
        var a = Xoshiro256StarStar(seed: 9)
        var b = Xoshiro256StarStar(seed: 9)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
        var c = Xoshiro256StarStar(seed: 9, stream: 1)
        var d = Xoshiro256StarStar(seed: 9, stream: 2)
        #expect(c.next() != d.next())
    }

    @Test func unitDrawsStayInRange() {
        var random = Xoshiro256StarStar(seed: 1)
        var sum = 0.0
        for _ in 0..<100_000 {
            let unit = random.nextUnit()
            #expect(unit >= 0 && unit < 1)
            sum += unit
        }
        #expect(abs(sum / 100_000 - 0.5) < 0.01)
    }
}
