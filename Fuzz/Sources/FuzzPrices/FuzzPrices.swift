import Foundation
import FuzzDriver
import Market
import VPPCore

/// libFuzzer entry: a price series, both as JSON (`PriceSeries.parseJSON`) and as CSV (`PriceSeries.parseCSV`,
/// both interval labellings). Each input goes through all three; the seeds steer each parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    _ = try? PriceSeries.parseJSON(bytes, file: "fuzz.json")
    let text = String(decoding: bytes, as: UTF8.self)
    for labelling in MarketInterval.Labelling.allCases {
        _ = try? PriceSeries.parseCSV(text, file: "fuzz.csv", labelling: labelling)
    }
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
