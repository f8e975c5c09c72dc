import Foundation

/// The bytes of a market file (clearing result, DR invitation or award) sorted into JSON or CSV: JSON when the
/// first byte after blanks and a UTF-8 byte-order mark is `{`, otherwise UTF-8 CSV text (without the BOM).
/// One rule for every file vppd reads from `inbox/` or an API body, so that they all accept the same inputs.
public enum MarketFileBody: Sendable, Equatable {
    case json(Data)
    case csv(String)

    public init(_ data: Data) throws(DocumentError) {
        let first = data.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if first == UInt8(ascii: "{") {
            self = .json(data)
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DocumentError("", "neither JSON nor UTF-8 CSV")
        }
        self = .csv(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
    }
}
