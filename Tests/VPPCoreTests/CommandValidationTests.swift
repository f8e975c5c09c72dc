import Foundation
import Testing
import VPPCore

@Suite("Operator command validation")
struct CommandValidationTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    func request(
        _ kind: CommandKind = .curtailPV,
        magnitude: CommandMagnitude? = CommandMagnitude(value: 40, unit: .percent),
        start: Date? = nil, end: Date? = nil, duration: Double? = 900, reason: String = "negative price"
    ) -> CommandRequest {
        CommandRequest(
            kind: kind, target: .site("hz-01"), magnitude: magnitude, start: start, end: end,
            durationSeconds: duration,
            reason: reason)
    }

    func field(_ r: CommandRequest, author: String = "alice") -> String? {
        do {
            _ = try r.validated(author: author, now: now)
            return nil
        } catch {
            return error.field
        }
    }

    /// Found by Schemathesis: 1,001 skin-tone modifiers are fewer than 1,000 Swift Characters (they fuse), so a
    /// reason the document's `maxLength: 1000` refuses was accepted. Lengths count Unicode scalars, as JSON
    /// Schema does, of the text as sent.
    @Test("reason length counts Unicode scalars as sent, as the OpenAPI maxLength does")
    func reasonLengthInScalars() {
        let modifier = "\u{1F3FB}"
        #expect(field(request(reason: String(repeating: modifier, count: 1_001))) == "reason")
        #expect(field(request(reason: String(repeating: modifier, count: 1_000))) == nil)
        #expect(field(request(reason: "x" + String(repeating: " ", count: 1_000))) == "reason")
    }

    @Test("a valid request becomes an active command starting now with the caller as author")
    func valid() throws {
        let c = try request().validated(author: "alice", now: now)
        #expect(c.status == .active && c.start == now && c.end == now.addingTimeInterval(900))
        #expect(c.author == "alice" && c.reason == "negative price" && c.kind == .curtailPV)
        let later = try request(start: now.addingTimeInterval(600)).validated(author: "bob", now: now)
        #expect(later.status == .pending)
    }

    @Test("impossible windows are refused naming the field")
    func windows() {
        #expect(field(request(end: now.addingTimeInterval(-10), duration: nil)) == "end")
        #expect(
            field(
                request(start: now.addingTimeInterval(100), end: now.addingTimeInterval(50), duration: nil))
                == "end")
        #expect(field(request(duration: -5)) == "durationSeconds")
        #expect(field(request(duration: .nan)) == "durationSeconds")
        #expect(field(request(duration: nil)) == "end")
        #expect(field(request(duration: 30 * 86_400)) == "end")
        #expect(field(request(start: now.addingTimeInterval(-3600))) == "start")
        #expect(field(request(start: now.addingTimeInterval(30 * 86_400))) == "start")
        #expect(field(request(end: now.addingTimeInterval(100), duration: 900)) == "durationSeconds")
    }

    @Test(
        "magnitudes: percent within 0…100 for PV only, finite, positive for charge/discharge, bounded")
    func magnitudes() {
        #expect(
            field(request(magnitude: CommandMagnitude(value: 101, unit: .percent))) == "magnitude.value")
        #expect(
            field(request(magnitude: CommandMagnitude(value: -1, unit: .percent))) == "magnitude.value")
        #expect(
            field(request(magnitude: CommandMagnitude(value: .infinity, unit: .kW))) == "magnitude.value")
        #expect(field(request(magnitude: nil)) == "magnitude")
        #expect(
            field(request(.discharge, magnitude: CommandMagnitude(value: 50, unit: .percent)))
                == "magnitude.unit")
        #expect(
            field(request(.charge, magnitude: CommandMagnitude(value: -5, unit: .kW)))
                == "magnitude.value")
        #expect(field(request(.charge, magnitude: CommandMagnitude(value: 2, unit: .MW))) == nil)
        #expect(
            field(request(.overrideSchedule, magnitude: CommandMagnitude(value: 5000, unit: .MW)))
                == "magnitude.value")
        #expect(
            field(request(.overrideSchedule, magnitude: CommandMagnitude(value: -3, unit: .MW))) == nil)
        #expect(field(request(.hold, magnitude: CommandMagnitude(value: 1, unit: .kW))) == "magnitude")
        #expect(field(request(.emergencyStop, magnitude: nil)) == nil)
    }

    @Test("author and reason are required")
    func whoAndWhy() {
        #expect(field(request(reason: "  ")) == "reason")
        #expect(field(request(), author: "") == "author")
        #expect(field(request(reason: String(repeating: "x", count: 2000))) == "reason")
    }

    @Test("status transitions follow the lifecycle")
    func transitions() {
        #expect(CommandStatus.pending.canTransition(to: .active))
        #expect(CommandStatus.active.canTransition(to: .cancelled))
        #expect(!CommandStatus.completed.canTransition(to: .cancelled))
        #expect(!CommandStatus.active.canTransition(to: .pending))
        #expect(CommandStatus.allCases.filter(\.isTerminal).count == 4)
    }

    @Test("commands round-trip through JSON with readable targets and magnitudes")
    func json() throws {
        let c = try request().validated(author: "alice", now: now)
        let data = try JSONEncoder().encode(c)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""scope":"site""#) && text.contains(#""unit":"percent""#))
        #expect(try JSONDecoder().decode(OperatorCommand.self, from: data) == c)
        let fleet = try JSONDecoder().decode(CommandTarget.self, from: Data(#"{"scope":"fleet"}"#.utf8))
        #expect(fleet == .fleet)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(CommandTarget.self, from: Data(#"{"scope":"device"}"#.utf8))
        }
    }
}
