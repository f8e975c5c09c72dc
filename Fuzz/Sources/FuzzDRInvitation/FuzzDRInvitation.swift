import Foundation
import FuzzDriver
import Market
import VPPCore

/// libFuzzer entry: a DR invitation, JSON or CSV, read and validated (`DRInvitation(data:)`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    for labelling in MarketInterval.Labelling.allCases {
        _ = try? DRInvitation(data: bytes, labelling: labelling)
    }
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
