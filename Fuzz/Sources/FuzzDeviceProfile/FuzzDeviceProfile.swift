import DeviceIO
import Foundation
import FuzzDriver

/// libFuzzer entry: a device profile YAML (`ProfileLoader.parse`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? ProfileLoader.parse(yaml: text, id: "fuzz", file: "fuzz.yaml")
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
