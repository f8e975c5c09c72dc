import Testing
import VPPCore

@Suite("KeySuggestion: edit distance and did-you-mean")
struct KeySuggestionTests {
    @Test("edit distance of hand-counted pairs")
    func distance() {
        #expect(KeySuggestion.editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(KeySuggestion.editDistance(Array(""), Array("abc")) == 3)
        #expect(KeySuggestion.editDistance(Array("flaw"), Array("lawn")) == 2)
    }

    @Test("a typo finds its key (case-insensitive); an unrelated key finds none")
    func closest() {
        let allowed = ["controlPeriodMs", "staleAfterMs", "site"]
        #expect(KeySuggestion.closest(to: "contolPeriodMs", in: allowed) == "controlPeriodMs")
        #expect(KeySuggestion.closest(to: "SITE", in: allowed) == "site")
        #expect(KeySuggestion.closest(to: "voltage", in: allowed) == nil)
    }
}
