import Testing
import VPPCore

@Suite("Strict number text and bounded error text")
struct TextTests {
    @Test("plain decimal numbers read; hex, nan, inf, infinity, blanks and overflow do not")
    func decimal() {
        for (text, value) in [
            ("12.5", 12.5), ("-3", -3.0), ("+0.25", 0.25), (".5", 0.5), ("5.", 5.0), ("1e3", 1000.0),
            ("-1.5E-2", -0.015),
        ] {
            #expect(DecimalText.double(text) == value, "\(text)")
        }
        for text in [
            "0x1F4", "0X1f4", "0x1p3", "nan", "NaN", "inf", "-inf", "infinity", "Infinity", "1e400", "", " 1",
            "1 ", "1_000", "e5", ".", "-", "1e", "1e+", "١٢",
        ] {
            #expect(DecimalText.double(text) == nil, "\(text)")
        }
        #expect(DecimalText.integer("42") == 42 && DecimalText.integer("-7") == -7 && DecimalText.integer("+7") == 7)
        for text in ["0x10", "1.0", "1e3", "9223372036854775808", "", "+", "--1", "true"] {
            #expect(DecimalText.integer(text) == nil, "\(text)")
        }
    }

    @Test("a long quoted value is elided, the whole text cut, control characters escaped")
    func bounded() {
        #expect(BoundedText.bounded("line 3: \"abc\" is not a number") == "line 3: \"abc\" is not a number")
        let huge = String(repeating: "y", count: 5 << 20)
        let text = BoundedText.bounded("price: \"\(huge)\" is not a number")
        #expect(text.count < 200, "\(text.count)")
        #expect(text.hasPrefix("price: \"yyyy") && text.contains("elided") && text.hasSuffix("is not a number"))
        let long = BoundedText.bounded(String(repeating: "z ", count: 10_000))
        #expect(long.count <= BoundedText.defaultLimit + 40 && long.contains("cut"))
        #expect(BoundedText.bounded("a\nb\u{0}c", limit: 10) == "a\\nb\\u{0}c")
        #expect(BoundedText.bounded("don't 'elide' this") == "don't 'elide' this")
        #expect(BoundedText.value(huge).count < 120)
    }
}
