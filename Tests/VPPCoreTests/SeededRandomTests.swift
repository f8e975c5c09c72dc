import Testing
import VPPCore

@Suite("SeededRandom: SplitMix64 reference sequence and helpers")
struct SeededRandomTests {
    @Test("matches the published SplitMix64 outputs (seed 1234567, seed 0)")
    func referenceSequence() {
        var rng = SeededRandom(seed: 1_234_567)
        let first = (0..<5).map { _ in rng.next() }
        #expect(
            first == [
                6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                4_593_380_528_125_082_431, 16_408_922_859_458_223_821,
            ])
        var zero = SeededRandom(seed: 0)
        #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
    }

    @Test("same seed, same draws; unit and uniform stay inside their ranges")
    func helpers() {
        var a = SeededRandom(seed: 42)
        var b = SeededRandom(seed: 42)
        for _ in 0..<1000 {
            let u = a.unit()
            #expect(u == b.unit() && u >= 0 && u < 1)
            let c = a.uniform(-3...5)
            #expect(c == b.uniform(-3...5) && c >= -3 && c <= 5)
            let h = a.uniform(10, 20)
            #expect(h == b.uniform(10, 20) && h >= 10 && h < 20)
        }
    }
}
