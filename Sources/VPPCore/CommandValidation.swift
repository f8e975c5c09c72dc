import Foundation

/// Why a command request was refused: the field (JSON key path) and the problem, so the API can answer
/// `{"error": "invalid_command", "detail": "end: must be after start (…)"}`.
public struct CommandValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// JSON key path of the offending field, e.g. `magnitude.value`, `end`, `target.id`.
    public var field: String
    public var problem: String
    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }
    public var description: String { "\(field): \(problem)" }
}

/// Sanity bounds for commands; anything outside is an operator typo, not a command (DESIGN §8).
public struct CommandBounds: Hashable, Sendable, Codable {
    /// Largest absolute power any command may name, kW (default 1,000,000 kW = 1 GW).
    public var maxAbsPowerKW: Double
    /// Longest command window, seconds (default 7 days).
    public var maxDurationSeconds: TimeInterval
    /// How far in the future a command may start, seconds (default 7 days).
    public var maxStartAheadSeconds: TimeInterval
    /// How far in the past a start may lie (clock skew between client and daemon), seconds (default 300 s).
    public var maxStartBehindSeconds: TimeInterval
    /// Longest author / reason text, characters.
    public var maxTextLength: Int

    public init(
        maxAbsPowerKW: Double = 1_000_000, maxDurationSeconds: TimeInterval = 7 * 86_400,
        maxStartAheadSeconds: TimeInterval = 7 * 86_400, maxStartBehindSeconds: TimeInterval = 300,
        maxTextLength: Int = 1_000
    ) {
        self.maxAbsPowerKW = maxAbsPowerKW
        self.maxDurationSeconds = maxDurationSeconds
        self.maxStartAheadSeconds = maxStartAheadSeconds
        self.maxStartBehindSeconds = maxStartBehindSeconds
        self.maxTextLength = maxTextLength
    }

    public static let `default` = CommandBounds()
}

/// A command as a client asks for it. `start` defaults to now; exactly one of `end` and `durationSeconds`
/// must be given (both are accepted when they agree to within a second).
public struct CommandRequest: Hashable, Sendable, Codable {
    public var kind: CommandKind
    public var target: CommandTarget
    public var magnitude: CommandMagnitude?
    public var start: Date?
    public var end: Date?
    /// Window length in seconds, as an alternative to `end`.
    public var durationSeconds: Double?
    public var reason: String

    public init(
        kind: CommandKind, target: CommandTarget, magnitude: CommandMagnitude? = nil,
        start: Date? = nil,
        end: Date? = nil, durationSeconds: Double? = nil, reason: String
    ) {
        self.kind = kind
        self.target = target
        self.magnitude = magnitude
        self.start = start
        self.end = end
        self.durationSeconds = durationSeconds
        self.reason = reason
    }

    /// Checks the request and turns it into a `pending` command authored by `author` (the authenticated
    /// caller, never a field of the request). Throws the first problem found, naming its field.
    public func validated(
        id: CommandID = .random(), author: String, now: Date, bounds: CommandBounds = .default
    ) throws(CommandValidationError) -> OperatorCommand {
        func fail(_ field: String, _ problem: String) -> CommandValidationError {
            CommandValidationError(field: field, problem: problem)
        }
        // Target.
        if let tid = target.id {
            guard !tid.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail("target.id", "must not be empty")
            }
            guard tid.count <= 200 else { throw fail("target.id", "longer than 200 characters") }
        }
        // Magnitude.
        if kind.needsMagnitude {
            guard let m = magnitude else { throw fail("magnitude", "required for \(kind.rawValue)") }
            guard m.value.isFinite else { throw fail("magnitude.value", "must be a finite number") }
            switch (kind, m.unit) {
            case (.curtailPV, .percent):
                guard (0...100).contains(m.value) else {
                    throw fail("magnitude.value", "percent must be within 0…100, got \(m.value)")
                }
            case (_, .percent):
                throw fail("magnitude.unit", "percent is only valid for curtailPV; use kW or MW")
            case (.curtailPV, _), (.charge, _), (.discharge, _):
                let kw = m.kilowatts?.value ?? 0
                if kind == .curtailPV {
                    guard kw >= 0 else { throw fail("magnitude.value", "a PV limit must be ≥ 0, got \(m)") }
                } else {
                    guard kw > 0 else {
                        throw fail(
                            "magnitude.value",
                            "\(kind.rawValue) power must be > 0 (direction comes from the kind), got \(m)")
                    }
                }
                guard abs(kw) <= bounds.maxAbsPowerKW else {
                    throw fail("magnitude.value", "\(m) exceeds the bound of \(bounds.maxAbsPowerKW) kW")
                }
            default:
                let kw = m.kilowatts?.value ?? 0
                guard abs(kw) <= bounds.maxAbsPowerKW else {
                    throw fail("magnitude.value", "\(m) exceeds the bound of \(bounds.maxAbsPowerKW) kW")
                }
            }
        } else if magnitude != nil {
            throw fail("magnitude", "not allowed for \(kind.rawValue)")
        }
        // Window.
        let start = self.start ?? now
        guard start.timeIntervalSince1970.isFinite else { throw fail("start", "not a valid instant") }
        guard start >= now.addingTimeInterval(-bounds.maxStartBehindSeconds) else {
            throw fail("start", "lies more than \(Int(bounds.maxStartBehindSeconds)) s in the past")
        }
        guard start <= now.addingTimeInterval(bounds.maxStartAheadSeconds) else {
            throw fail("start", "lies more than \(Int(bounds.maxStartAheadSeconds)) s in the future")
        }
        let end: Date
        switch (self.end, durationSeconds) {
        case (nil, nil):
            throw fail("end", "an end or a durationSeconds is required")
        case (let e?, nil):
            end = e
        case (nil, let d?):
            guard d.isFinite else { throw fail("durationSeconds", "must be a finite number") }
            // At least 1 s: the store keeps instants in milliseconds, and a shorter window would round to an
            // empty one (end = start) after it was accepted.
            guard d >= 1 else { throw fail("durationSeconds", "must be ≥ 1 s, got \(d)") }
            end = start.addingTimeInterval(d)
        case (let e?, let d?):
            guard d.isFinite, abs(e.timeIntervalSince(start) - d) <= 1 else {
                throw fail("durationSeconds", "disagrees with end − start; give only one of them")
            }
            end = e
        }
        guard end.timeIntervalSince(start) >= 1 else { throw fail("end", "must be at least 1 s after start") }
        guard end > now else { throw fail("end", "lies in the past") }
        guard end.timeIntervalSince(start) <= bounds.maxDurationSeconds else {
            throw fail("end", "window longer than \(Int(bounds.maxDurationSeconds)) s")
        }
        // Who and why.
        let reason = self.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw fail("reason", "required") }
        // Counted as JSON Schema's maxLength counts (Unicode scalars of the text as sent, before trimming):
        // Swift's Character count fuses modifiers and would let a longer text through than the API documents.
        guard self.reason.unicodeScalars.count <= bounds.maxTextLength else {
            throw fail("reason", "longer than \(bounds.maxTextLength) characters")
        }
        let author = author.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !author.isEmpty else { throw fail("author", "required") }
        guard author.unicodeScalars.count <= bounds.maxTextLength else {
            throw fail("author", "longer than \(bounds.maxTextLength) characters")
        }
        return OperatorCommand(
            id: id, kind: kind, target: target, magnitude: magnitude, start: start, end: end,
            author: author,
            reason: reason, status: start <= now ? .active : .pending, createdAt: now)
    }
}
