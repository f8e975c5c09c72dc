import StrictYAML
import Testing
import Yams

@Suite("StrictYAML reader: key paths, lines, unknown keys, strict numbers, null, choices")
struct YAMLReaderTests {
    enum Colour: String, CaseIterable { case red, green, blue }

    /// The root of `yaml`, read as file `f.yaml`.
    func root(_ yaml: String, rules: YAMLReader.Rules = .init()) throws -> YAMLReader.Node {
        let node = try #require(try YAMLReader.compose(yaml))
        return YAMLReader.Node(node, file: "f.yaml", rules: rules)
    }

    /// The error `body` throws; records an issue when it throws none.
    func failure(_ body: () throws(YAMLReadError) -> Void) -> YAMLReadError? {
        do {
            try body()
            Issue.record("no error thrown")
            return nil
        } catch {
            return error
        }
    }

    @Test("an unknown key is refused with the closest allowed key, its path and its line")
    func unknownKey() throws {
        let r = try root("name: x\ntiming:\n  fastPolMs: 5\n")
        let e = failure { () throws(YAMLReadError) in
            let t = try r.mapping(allowed: ["name", "timing"]).mapping("timing")
            try t?.checkKeys(["fastPollMs", "slowPollMs"])
        }
        #expect(e?.file == "f.yaml")
        #expect(e?.keyPath == "timing.fastPolMs")
        #expect(e?.key == "fastPolMs")
        #expect(e?.line == 3)
        #expect(
            e?.problem
                == .unknownKey(
                    "fastPolMs", allowed: ["fastPollMs", "slowPollMs"], suggestion: "fastPollMs", what: "'timing'"))
    }

    @Test("a key far from every allowed key gets no suggestion; a key given twice is refused")
    func noSuggestionAndDuplicates() throws {
        let colour = try root("colour: red\n")
        let far = failure { () throws(YAMLReadError) in _ = try colour.mapping(allowed: ["id"]) }
        #expect(far?.problem == .unknownKey("colour", allowed: ["id"], suggestion: nil, what: ""))
        // Yams' parser refuses a key written twice; a node built in code can still hold one.
        #expect(throws: (any Error).self) { try YAMLReader.compose("id: a\nid: b\n") }
        let pairs: [(Yams.Node, Yams.Node)] = [("id", "a"), ("id", "b")]
        let ids = YAMLReader.Node(.mapping(.init(pairs)), file: "f.yaml")
        let twice = failure { () throws(YAMLReadError) in _ = try ids.mapping(allowed: ["id"]) }
        #expect(twice?.problem == .duplicateKey("id", what: ""))
        #expect(twice?.keyPath == "id")
    }

    @Test("list elements carry their index in the key path, and the line of the element's key")
    func nestedListPaths() throws {
        let r = try root("devices:\n  - id: a\n    port: 1\n  - id: b\n    port: 70000\n")
        let e = failure { () throws(YAMLReadError) in
            for d in try r.mapping().sequence("devices") ?? [] {
                _ = try d.mapping(allowed: ["id", "port"]).int("port", in: 1...65535)
            }
        }
        #expect(e?.keyPath == "devices[1].port")
        #expect(e?.line == 5)
        #expect(e?.problem == .integerOutOfRange(70000, 1...65535))
    }

    @Test("numbers are plain decimal: hex, octal, sexagesimal, .inf, 1e999 and quoted numbers are refused")
    func strictNumbers() throws {
        for text in ["0x10", "0o17", "1:30", ".inf", "-.inf", ".nan", "1e999", "\"5\"", "'5'", "5 kW", "[5]"] {
            let m = try root("v: \(text)\n").mapping()
            let e = failure { () throws(YAMLReadError) in _ = try m.double("v") }
            guard case .notNumber = e?.problem else {
                Issue.record("\(text) read as a number: \(String(describing: e))")
                continue
            }
            #expect(e?.keyPath == "v")
            #expect(failure { () throws(YAMLReadError) in _ = try m.int("v") } != nil)
        }
        let m = try root("a: 12\nb: -3.5\nc: 1_000\nd: 2.0\n").mapping()
        #expect(try m.int("a") == 12)
        #expect(try m.double("a") == 12)
        #expect(try m.double("b") == -3.5)
        #expect(failure { () throws(YAMLReadError) in _ = try m.int("c") } != nil)
        #expect(failure { () throws(YAMLReadError) in _ = try m.int("d") } != nil)
        let separators = try root("c: 1_000\n", rules: .init(digitSeparators: true)).mapping()
        #expect(try separators.int("c") == 1000)
    }

    @Test("ranges bound integers and numbers, and the error carries the value and the range")
    func ranges() throws {
        let m = try root("lo: -1\nhi: 100.5\nok: 7\n").mapping()
        let lo = failure { () throws(YAMLReadError) in _ = try m.int("lo", in: 0...10) }
        #expect(lo?.problem == .integerOutOfRange(-1, 0...10))
        let hi = failure { () throws(YAMLReadError) in _ = try m.double("hi", in: 0...100) }
        #expect(hi?.problem == .numberOutOfRange(100.5, 0...100))
        #expect(try m.int("ok", in: 0...10) == 7)
        let notInt = failure { () throws(YAMLReadError) in _ = try m.int("hi", in: 0...10) }
        #expect(notInt?.problem == .notInteger(.scalar("100.5"), range: 0...10))
    }

    @Test("empty, ~ and null values read as absent; a quoted \"null\" is text; required keys say they are missing")
    func nulls() throws {
        let m = try root("a:\nb: ~\nc: null\nd: \"null\"\n").mapping()
        for k in ["a", "b", "c"] {
            #expect(!m.has(k))
            #expect(try m.string(k) == nil)
            let e = failure { () throws(YAMLReadError) in _ = try m.required(k) }
            #expect(e?.problem == .missingKey(k))
            #expect(e?.keyPath == k)
        }
        #expect(try m.string("d") == "null")
        #expect(m.present.map(\.key) == ["d"])
        #expect(m.entries.count == 4)
    }

    @Test("a choice outside the enum lists the accepted values; texts, booleans and lists are typed")
    func choicesAndScalars() throws {
        let m = try root("c: purple\ng: green\nflag: yes\nq: \"true\"\nt: '  '\nl: [1, 2]\nmap: { x: 1 }\n").mapping()
        let bad = failure { () throws(YAMLReadError) in _ = try m.choice("c", Colour.self) }
        #expect(bad?.problem == .notChoice("purple", accepted: ["red", "green", "blue"]))
        #expect(bad?.line == 1)
        #expect(try m.choice("g", Colour.self) == .green)
        #expect(try m.bool("flag") == true)
        #expect(failure { () throws(YAMLReadError) in _ = try m.bool("q") }?.problem == .notBool(.scalar("true")))
        let quoted = try root("q: \"true\"\n", rules: .init(quotedBooleans: true)).mapping()
        #expect(try quoted.bool("q") == true)
        #expect(failure { () throws(YAMLReadError) in _ = try m.string("t") }?.problem == .empty)
        #expect(failure { () throws(YAMLReadError) in _ = try m.string("l") }?.problem == .notText(.sequence))
        #expect(failure { () throws(YAMLReadError) in _ = try m.sequence("map") }?.problem == .notList(.mapping))
        let notMap = failure { () throws(YAMLReadError) in _ = try m.mapping("l") }
        #expect(notMap?.problem == .notMapping(what: "'l'"))
        #expect(notMap?.keyPath == "l")
        #expect(try m.sequence("l")?.map { n throws(YAMLReadError) in try n.int() } == [1, 2])
    }

    @Test("a key that is not a plain name is refused at its line; labels and domain errors carry through")
    func keysAndLabels() throws {
        let file = try root("a: 1\n[x]: 2\n")
        let e = failure { () throws(YAMLReadError) in _ = try file.mapping(what: "the file") }
        #expect(e?.problem == .keyNotPlainName(what: "the file"))
        #expect(e?.line == 2)
        let point = try root("p:\n  scale: 0\n").mapping()
        let p = try #require(try point["p"]?.relabelled(path: "", label: "p").mapping(what: "point 'p'"))
        let own = p.error("scale", "must not be 0")
        #expect(own.label == "p" && own.keyPath == "scale" && own.key == "scale" && own.line == 2)
        #expect(own.problem == .other("must not be 0"))
    }
}
