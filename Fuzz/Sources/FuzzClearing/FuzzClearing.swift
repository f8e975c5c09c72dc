import Foundation
import FuzzDriver
import Market
import VPPCore

/// libFuzzer entry: a clearing result, JSON or CSV, as the inbox and the API read it (`ClearingDocument(data:)`
/// sorts the bytes with `MarketFileBody`), under both interval labellings.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    for labelling in MarketInterval.Labelling.allCases {
        _ = try? ClearingDocument(data: bytes, labelling: labelling)
    }
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
