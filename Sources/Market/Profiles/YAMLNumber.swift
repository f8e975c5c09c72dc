import VPPCore
import Yams

/// Strict numbers in YAML (README "Files: inbox and outbox"): a number is a plain (unquoted) scalar written in plain decimal
/// (`DecimalText`). Yams' own `Node.int`/`Node.float` also accept hexadecimal (`0x1F4`), octal, sexagesimal
/// (`1:30`), `.inf`, `.nan` and quoted text; none of those is a plausible device or market parameter and every
/// one of them has hidden a typo, so they are refused and the error names the key.
extension Node {
    /// A plain decimal integer, nil for anything else.
    var decimalInt: Int? {
        guard case .scalar(let s) = self, s.style == .plain else { return nil }
        return DecimalText.integer(s.string)
    }

    /// A plain finite decimal number, nil for anything else.
    var decimalDouble: Double? {
        guard case .scalar(let s) = self, s.style == .plain else { return nil }
        return DecimalText.double(s.string)
    }
}
