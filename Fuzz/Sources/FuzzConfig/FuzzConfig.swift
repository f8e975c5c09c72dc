import Daemon
import Foundation
import FuzzDriver

/// libFuzzer entry: the daemon config YAML (`VPPConfig.parse`). Relative paths resolve against a directory that
/// does not exist, so an `include:` reads nothing from the machine.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? VPPConfig.parse(yaml: text, file: "fuzz.yaml", baseDirectory: "/nonexistent/vppd-fuzz")
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
