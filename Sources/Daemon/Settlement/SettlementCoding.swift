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
    static func settlementEvent(_ stored: StoredDREvent) -> SettlementEvent? { read(stored).event }

    /// As `settlementEvent`, and whether the payload was readable at all (an unreadable event is reported by
    /// settlement, never silently left out).
    static func read(_ stored: StoredDREvent) -> (event: SettlementEvent?, readable: Bool) {
        for strategy in [JSONDecoder.DateDecodingStrategy.iso8601, .deferredToDate] {
            let d = JSONDecoder()
            d.dateDecodingStrategy = strategy
            if let e = try? d.decode(DREvent.self, from: stored.payload) { return (e.settlementEvent, true) }
            if let e = try? d.decode(SettlementEvent.self, from: stored.payload) { return (e, true) }
            if let e = try? d.decode(Wrapped.self, from: stored.payload) { return (e.settlement, true) }
        }
        return (nil, false)
    }

    struct Wrapped: Decodable {
        var settlement: SettlementEvent
    }
}
