import Foundation
import Market

/// libFuzzer entry: a clearing result, JSON or CSV, as the inbox and the API read it (`ClearingDocument(data:)`
/// sorts the bytes with `MarketFileBody`), under both interval labellings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    for labelling in MarketInterval.Labelling.allCases {
        _ = try? ClearingDocument(data: bytes, labelling: labelling)
    }
    return 0
}
