/// A decoded register value: a number (integers, floats, enums and bitfields, after scaling) or text.
public enum RegisterValue: Sendable, Hashable, CustomStringConvertible {
    case number(Double)
    case text(String)

    /// The numeric value, nil for text.
    public var number: Double? {
        if case .number(let v) = self { return v }
        return nil
    }

    /// The text value, nil for numbers.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }

    public var description: String {
        switch self {
        case .number(let v): return String(v)
        case .text(let s): return "\"\(s)\""
        }
    }
}
