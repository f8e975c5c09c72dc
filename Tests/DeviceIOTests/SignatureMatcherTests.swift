import DeviceIO
import Foundation
import Testing

/// `SignatureCheck.matches` sees whatever a device puts in its identification registers: it must decide, never
/// trap, and never match garbage. Register contents go through the real `RegisterCodec` first, as in a scan.
@Suite("signature matcher with hostile register contents")
struct SignatureMatcherTests {
    static func text(_ registers: [UInt16]) -> RegisterValue? {
        try? RegisterCodec.decodeRaw(registers, type: .string)
    }

    static func registers(_ s: String, words: Int) -> [UInt16] {
        var bytes = Array(s.utf8.prefix(words * 2))
        while bytes.count < words * 2 { bytes.append(0) }
        return (0..<words).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
    }

    let huawei = SignatureCheck(point: "modelName", expect: .prefix(["SUN2000"]))

    @Test("a model name matches its prefix case-insensitively, padded with NULs or spaces")
    func prefixMatches() {
        #expect(huawei.matches(Self.text(Self.registers("SUN2000-10KTL-M1", words: 15))))
        #expect(huawei.matches(Self.text(Self.registers("  sun2000-5KTL  ", words: 15))))
        #expect(huawei.matches(.text("SUN2000")))
        let two = SignatureCheck(point: "m", expect: .prefix(["GW", "XY"]))
        #expect(two.matches(.text("XY-1")))
    }

    @Test("garbage, sentinels, shorter texts and numbers never match a prefix")
    func prefixRefuses() {
        let hostile: [RegisterValue?] = [
            nil, Self.text([0, 0, 0]), Self.text([0xFFFF, 0xFFFF]), Self.text([0xC328, 0xA0A1]),  // invalid UTF-8
            .text("SUN200"), .text("XSUN2000"), .text("\u{0}SUN\u{0}2000"), .text("SUN2000"[...].dropLast() + ""),
            .number(0), .number(.nan), .text(String(repeating: "\u{FFFD}", count: 300)),
        ]
        for v in hostile { #expect(!huawei.matches(v), "\(String(describing: v))") }
        #expect(!SignatureCheck(point: "m", expect: .prefix([""])).matches(.text("anything")))
    }

    @Test("codes match exactly or within the range; NaN, infinities and text do not")
    func numbers() {
        let sh = SignatureCheck(point: "code", expect: .range(min: 3328, max: 3839))
        #expect(sh.matches(.number(0x0E03)))
        #expect(sh.matches(.number(3328)) && sh.matches(.number(3839)))
        for v in [3327.0, 3840, .nan, .infinity, -.infinity, -3500, 1e300] { #expect(!sh.matches(.number(v))) }
        #expect(!sh.matches(.text("3500")))
        #expect(!sh.matches(nil))
        let luna = SignatureCheck(point: "model", expect: .oneOf([2]))
        #expect(luna.matches(.number(2)))
        for v in [0.0, 1, 2.0000001, .nan, 65535] { #expect(!luna.matches(.number(v))) }
        let open = SignatureCheck(point: "x", expect: .range(min: nil, max: 10))
        #expect(open.matches(.number(-1e9)) && !open.matches(.number(10.5)))
    }

    @Test("every 1-register value and a seeded sweep of 15-register strings decide without trapping")
    func sweep() {
        let code = SignatureCheck(point: "code", expect: .oneOf([0x0D06]))
        var hits = 0
        for raw in 0...0xFFFF {
            let v = try? RegisterCodec.decodeRaw([UInt16(raw)], type: .uint16)
            if code.matches(v ?? nil) { hits += 1 }
        }
        #expect(hits == 1)
        var rng = SystemRandomNumberGenerator()
        var matched = 0
        for _ in 0..<5000 {
            let regs = (0..<15).map { _ in UInt16.random(in: 0...0xFFFF, using: &rng) }
            if huawei.matches(Self.text(regs)) { matched += 1 }
        }
        #expect(matched == 0)
    }

    @Test("the value a simulator serves for a check satisfies it")
    func samples() {
        let checks = [
            huawei, SignatureCheck(point: "c", expect: .range(min: 3328, max: 3839)),
            SignatureCheck(point: "c", expect: .oneOf([2, 5])),
            SignatureCheck(point: "c", expect: .range(min: nil, max: 4)),
        ]
        for c in checks { #expect(c.matches(c.sample), "\(c.expectationText)") }
    }

    @Test("device text printed in reports and YAML comments is plain bounded ASCII")
    func printable() {
        let evil = "SUN2000\n  - id: injected\r\u{1B}[2J\u{0}é"
        let shown = ScanText.printable(evil)
        #expect(!shown.contains("\n") && !shown.contains("\r") && !shown.contains("\u{1B}"))
        #expect(shown.hasPrefix("SUN2000?"))
        #expect(ScanText.printable(String(repeating: "x", count: 1000), limit: 20).count == 21)
    }
}
