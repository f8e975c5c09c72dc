import Foundation
import Market
import Store

/// How settlement documents and DR event payloads are read and written.
enum SettlementCoding {
    /// Sorted keys and ISO 8601 dates, like the API's responses, so a stored settlement reads the same as served.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return try e.encode(value)
    }

    static func decodeSettlement(_ data: Data) throws -> DaySettlement {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return try d.decode(DaySettlement.self, from: data)
    }

    /// The settlement view of a stored DR event: the DR workflow's `DREvent` document (its `settlementEvent`,
    /// nil before clearing), or a bare `SettlementEvent`, or one under the key `settlement`. ISO 8601 and
    /// Foundation's default date encodings are both accepted.
    static func settlementEvent(_ stored: StoredDREvent) -> SettlementEvent? {
        for strategy in [JSONDecoder.DateDecodingStrategy.iso8601, .deferredToDate] {
            let d = JSONDecoder()
            d.dateDecodingStrategy = strategy
            if let e = try? d.decode(DREvent.self, from: stored.payload) { return e.settlementEvent }
            if let e = try? d.decode(SettlementEvent.self, from: stored.payload) { return e }
            if let e = try? d.decode(Wrapped.self, from: stored.payload) { return e.settlement }
        }
        return nil
    }

    struct Wrapped: Decodable {
        var settlement: SettlementEvent
    }
}
