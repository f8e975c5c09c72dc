import Foundation
import Market
import VPPCore

/// The canonical form of an inbox file's document: what the inbox ledger's duplicate check hashes (README
/// "File inbox"), so that two files saying the same thing are one delivery whatever their bytes.
///
/// A canonical form is the parsed document re-encoded deterministically (sorted keys, intervals in index
/// order, equivalent unit spellings made one — `ClearingDocument.canonicalized()`). It is nil when the file
/// does not parse; then the raw bytes are hashed, and the handler refuses the file with the reason anyway.
///
/// The clearing form reads `time` labels under start-of-interval labelling whatever the market profile says:
/// the inbox has no profile, and the label→index map under either labelling is one-to-one, so two different
/// clearings never get one canonical form (at worst two equivalent files written with different label styles
/// are both offered to the handler, which then finds the second one a duplicate by content).
public enum InboxCanonicalForm {
    /// Makes canonical bytes from a file's bytes, nil when it does not parse.
    public typealias Form = @Sendable (Data) -> Data?

    /// The form for one of vppd's kinds (`clearing`, `dr-invitation`, `dr-award`, `dr-cancel`); nil for others,
    /// which are judged by their bytes.
    public static func standard(kind: String) -> Form? {
        switch kind {
        case "clearing": return clearing
        case "dr-invitation": return { data in encoded(try? DRInvitation(jsonOrCSV: data)) }
        case "dr-award":
            return { data in
                encoded(
                    (try? DRAward(data: data)).map { a in
                        var a = a
                        a.intervals.sort { $0.index < $1.index }
                        return a
                    })
            }
        case "dr-cancel": return { data in encoded(try? DRCancellation(data: data)) }
        default: return nil
        }
    }

    /// A clearing result's canonical JSON (`ClearingDocument.canonicalized()`; see the type's note on labels).
    public static let clearing: Form = { data in
        try? ClearingDocument(data: data, labelling: .start).canonicalized().jsonData()
    }

    private static func encoded(_ value: (some Encodable)?) -> Data? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try? encoder.encode(value)
    }
}

extension DRInvitation {
    /// Syntax-only reading of either form (no `validate()`): enough for a canonical form.
    init(jsonOrCSV data: Data) throws(DocumentError) {
        switch try MarketFileBody(data) {
        case .json(let json): try self.init(json: json)
        case .csv(let text): try self.init(csv: text)
        }
    }
}
