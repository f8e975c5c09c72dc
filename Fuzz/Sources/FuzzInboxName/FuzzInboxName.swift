import Daemon
import Foundation
import FuzzDriver

/// The kinds vppd registers with its inbox (VPPDaemon, DemandResponseService+Inbox).
let kinds: Set<String> = ["clearing", "dr-invitation", "dr-award", "dr-cancel"]

/// libFuzzer entry: how the inbox classifies a file. The input is `name` NUL `body`: the name goes through the
/// ignore rule, the kind rule (by name, else the body's JSON `"kind"`) and the sanitizer for archive names.
/// Invariants checked (a violation traps, which libFuzzer reports as a crash): a sanitized name is safe, and a
/// kind found by name is a registered prefix of it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let all = UnsafeBufferPointer(start: data, count: size)
    let cut = all.firstIndex(of: 0) ?? size
    let name = String(decoding: UnsafeBufferPointer(rebasing: all[..<cut]), as: UTF8.self)
    let body = cut < size ? Data(all[(cut + 1)...]) : Data()
    _ = Inbox.isIgnored(name)
    if let kind = Inbox.kind(of: name, data: body, among: kinds) {
        precondition(kinds.contains(kind), "kind \(kind) is not registered")
    }
    if let kind = Inbox.kind(of: name, data: Data(), among: kinds) {
        precondition(name.hasPrefix(kind), "kind \(kind) found by name does not prefix \(name)")
    }
    let safe = FileNames.sanitized(name)
    precondition(FileNames.isSafe(safe), "sanitized name \(safe) is not safe")
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
