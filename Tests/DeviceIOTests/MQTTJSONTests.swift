import DeviceIO
import Foundation
import Testing
import VPPCore

@Suite("JSON field extraction for MQTT device state")
struct MQTTJSONTests {
    @Test("nested dotted paths, numbers, booleans, strings and null are found in one pass")
    func nestedPaths() throws {
        let x = JSONFieldExtractor(paths: ["ev.soc", "ev.plugged", "power", "id", "ev.departure", "missing", "x.y.z"])
        let json = """
            {"id":"cp-7","power":-3.5,"ev":{"soc":61,"plugged":true,"departure":null,"extra":[1,{"a":2}]},
             "x":{"y":{"z":1e3}}, "ignored": {"deep": [true, false, null, "s"]}}
            """
        let v = try x.extract(json)
        #expect(v == [.number(61), .bool(true), .number(-3.5), .string("cp-7"), .null, nil, .number(1000)])
    }

    @Test("numbers follow RFC 8259 and convert exactly like the C library")
    func numbers() throws {
        let texts = [
            "0", "-0", "1", "-1", "12345678901234567890", "0.1", "-0.000123", "1.5e3", "1E-7", "2.5e+10",
            "9007199254740993", "3.141592653589793238", "1e308", "4.9e-324", "123.456e-2",
        ]
        let x = JSONFieldExtractor(paths: ["v"])
        for t in texts {
            let got = try x.extract("{\"v\":\(t)}")
            #expect(got == [.number(Double(t)!)], "\(t)")
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let d = Double.random(in: -1e6...1e6, using: &rng)
            let t = "\(d)"
            #expect(try x.extract("{\"v\":\(t)}") == [.number(Double(t)!)], "\(t)")
        }
        // Overflow is not malformed JSON; it decodes to infinity and the decoder rejects it as non-finite.
        #expect(try x.extract("{\"v\":1e400}") == [.number(.infinity)])
    }

    @Test("string escapes, unicode and surrogate pairs decode; keys with escapes still match")
    func strings() throws {
        let x = JSONFieldExtractor(paths: ["s", "key"])
        let v = try x.extract(#"{"s":"a\"b\\c\/d\n\t\u00e9\ud83d\ude97 中","k\u0065y":"é"}"#)
        #expect(v == [.string("a\"b\\c/d\n\té🚗 中"), .string("é")])
    }

    @Test("objects and arrays at a requested path are reported as such; the last duplicate key wins")
    func compositesAndDuplicates() throws {
        let x = JSONFieldExtractor(paths: ["a", "b", "c"])
        #expect(try x.extract(#"{"a":{"x":1},"b":[1,2],"c":1,"c":2}"#) == [.object, .array, .number(2)])
    }

    @Test(
        "malformed documents throw instead of crashing",
        arguments: [
            "", " ", "[1,2]", "\"s\"", "42", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1 \"b\":2}",
            "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":tru}",
            "{\"a\":nul}", "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\ud83d\"}",
            "{\"a\":\"line\nbreak\"}", "{\"a\":1}}", "{\"a\":1} x", "{a:1}", "{\"a\":[1,]}", "{\"a\":NaN}",
            "{\"a\":Infinity}", "{'a':1}",
        ])
    func malformed(_ text: String) {
        let x = JSONFieldExtractor(paths: ["a"])
        #expect(throws: JSONScanError.self) { try x.extract(text) }
    }

    @Test("invalid UTF-8 in a requested string and hostile nesting depth are errors")
    func hostileInput() throws {
        let x = JSONFieldExtractor(paths: ["a"])
        #expect(throws: JSONScanError.self) { try x.extract([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]) }
        let deep = "{\"a\":" + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        // `{"a":` is 5 bytes; the object is level 1, so the array opening level maxDepth + 1 is rejected.
        #expect(throws: JSONScanError.tooDeep(offset: 5 + JSONFieldExtractor.maxDepth - 1)) { try x.extract(deep) }
        let ok = "{\"a\":" + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}"
        #expect(try x.extract(ok) == [.array])
    }

    @Test("every byte-truncation of a valid document is rejected")
    func truncations() throws {
        let doc = Array(#"{"ev":{"soc":61.5,"ok":true,"id":"a\u00e9"},"p":[1,2,{"q":null}]}"#.utf8)
        let x = JSONFieldExtractor(paths: ["ev.soc", "p"])
        #expect(try x.extract(doc) == [.number(61.5), .array])
        for n in 0..<doc.count {
            #expect(throws: JSONScanError.self) { try x.extract(Array(doc[0..<n])) }
        }
    }
}

@Suite("ISO 8601 times, command JSON and topic filters")
struct MQTTFormatsTests {
    @Test("ISO 8601 timestamps with a zone convert to the same epoch seconds as Foundation")
    func iso8601() throws {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        for text in [
            "2026-11-23T07:30:00Z", "2026-11-23T15:30:00+08:00", "2024-02-29T23:59:59-05:30", "1970-01-01T00:00:00Z",
            "2038-01-19T03:14:08Z", "2000-03-01T00:00:00+01:00",
        ] {
            let expected = try #require(f.date(from: text)).timeIntervalSince1970
            #expect(ISO8601Time.epochSeconds(text) == expected, "\(text)")
        }
        #expect(ISO8601Time.epochSeconds("2026-11-23T07:30:00.250Z") == 1_795_419_000.25)
        #expect(ISO8601Time.epochSeconds("2026-11-23T07:30Z") == 1_795_419_000)
        #expect(ISO8601Time.epochSeconds("2026-11-23T15:30:00+0800") == 1_795_419_000)
    }

    @Test(
        "malformed or zone-less timestamps are refused",
        arguments: [
            "", "2026-11-23", "2026-11-23T07:30:00", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
            "2026-11-23T24:00:00Z", "2026-11-23T07:30:00Zjunk", "2026-11-23T07:30:00+25:00", "tomorrow",
        ])
    func iso8601Bad(_ text: String) {
        #expect(ISO8601Time.epochSeconds(text) == nil)
    }

    @Test("the API's RFC 3339 grammar refuses the device spellings the device grammar takes, and no others")
    func grammars() {
        for text in [
            "2026-11-23 07:30:00Z", "2026-11-23T07:30Z", "2026-11-23T07:30:00,5Z", "2026-11-23T15:30:00+0800",
            "2026-11-23T15:30:00+08",
        ] {
            #expect(ISO8601Time.epochSeconds(text, grammar: .device) != nil, "\(text)")
            #expect(ISO8601Time.epochSeconds(text, grammar: .rfc3339) == nil, "\(text)")
        }
        for text in ["2026-11-23T07:30:00Z", "2026-11-23T15:30:00.5+08:00", "2026-11-23t07:30:00z"] {
            #expect(
                ISO8601Time.epochSeconds(text, grammar: .device) == ISO8601Time.epochSeconds(text, grammar: .rfc3339))
            #expect(ISO8601Time.date(text) != nil, "\(text)")
        }
        #expect(ISO8601Time.epochSeconds(String(repeating: "9", count: 10_000)) == nil)
    }

    @Test("command JSON nests dotted paths, writes integers without a fraction and round-trips through the extractor")
    func commandJSON() throws {
        let json = try #require(
            MQTTCommandJSON.encode([("enable", 1), ("ev.setpointKW", -3.25), ("ev.revertS", 60), ("mode", 2)]))
        #expect(json == #"{"enable":1,"ev":{"setpointKW":-3.25,"revertS":60},"mode":2}"#)
        let back = try JSONFieldExtractor(paths: ["ev.setpointKW", "ev.revertS", "enable"]).extract(json)
        #expect(back == [.number(-3.25), .number(60), .number(1)])
        #expect(MQTTCommandJSON.encode([("a", 1), ("a.b", 2)]) == nil)
        #expect(MQTTCommandJSON.encode([("a", .nan)]) == nil)
    }

    @Test("topic filters match per MQTT rules")
    func filterMatching() {
        #expect(MQTTTopicFilter.matches("a/+/c", "a/b/c"))
        #expect(!MQTTTopicFilter.matches("a/+/c", "a/b/d"))
        #expect(!MQTTTopicFilter.matches("a/+", "a/b/c"))
        #expect(MQTTTopicFilter.matches("a/#", "a/b/c"))
        #expect(MQTTTopicFilter.matches("a/#", "a"))
        #expect(!MQTTTopicFilter.matches("+/x", "$SYS/x"))
    }

    @Test("many device topics of one shape collapse into one wildcard filter that avoids our command topics")
    func subscriptionPlan() {
        let state = (0..<10_000).map { "vpp/site\($0 % 7)/ev/cp\($0)/state" }
        let commands = (0..<10_000).map { "vpp/site\($0 % 7)/ev/cp\($0)/set" }
        #expect(MQTTTopicFilter.plan(topics: state, avoid: commands) == ["vpp/+/ev/+/state"])
        let few = ["a/1/state", "a/2/state"]
        #expect(MQTTTopicFilter.plan(topics: few, avoid: []) == few)
        // If the only shared shape would also catch our commands, subscribe exactly.
        let mixed = (0..<20).map { "d/\($0)/\($0 % 2 == 0 ? "state" : "set")" }
        let plan = MQTTTopicFilter.plan(topics: mixed.filter { $0.hasSuffix("state") } + ["d/x/stat"], avoid: mixed)
        #expect(plan.count == 11)
    }
}
