import Daemon
import Foundation
import FuzzDriver

/// libFuzzer entry: the API token file (`TokenFile.parse`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? TokenFile.parse(text, path: "fuzz.tokens")
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
