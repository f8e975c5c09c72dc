import Foundation
import FuzzDriver
import Market
import VPPCore

/// libFuzzer entry: a DR award, JSON or CSV (`DRAward(data:)`), and a DR cancellation (`DRCancellation(data:)`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    for labelling in MarketInterval.Labelling.allCases {
        _ = try? DRAward(data: bytes, labelling: labelling)
    }
    _ = try? DRCancellation(data: bytes)
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
