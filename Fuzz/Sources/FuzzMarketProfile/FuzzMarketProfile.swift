import Foundation
import Market

/// libFuzzer entry: a market profile YAML (`MarketProfileLoader.parse`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? MarketProfileLoader.parse(yaml: text, id: "fuzz", file: "fuzz.yaml")
    return 0
}
