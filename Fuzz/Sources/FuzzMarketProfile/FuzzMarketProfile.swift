import Foundation
import FuzzDriver
import Market

/// libFuzzer entry: a market profile YAML (`MarketProfileLoader.parse`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? MarketProfileLoader.parse(yaml: text, id: "fuzz", file: "fuzz.yaml")
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
