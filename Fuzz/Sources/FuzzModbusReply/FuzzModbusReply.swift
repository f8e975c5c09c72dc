import DeviceIO
import Foundation
import FuzzDriver
import VPPCore

/// The poll plans of the shipped Modbus device profiles (`DeviceProfiles/`), every point, SunSpec chains laid out
/// as a simulator would.
let plans: [ModbusPollPlan] = ["modbus-meter", "modbus-v2g-dc", "sunspec-pv-3ph", "sunspec-storage"].map { id in
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../../DeviceProfiles/\(id).yaml"
    ).standardizedFileURL.path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        fatalError("cannot read the device profile \(path)")
    }
    do {
        let profile = try ProfileLoader.parse(yaml: text, id: id, file: path)
        let mb = profile.modbus ?? ModbusSettings()
        let map = SunSpecModelMap.layout(base: mb.sunspecBases.first ?? 40000, models: mb.sunspecModels)
        let names = profile.points.filter { $0.value.modbus != nil }.keys
        return try BlockPlanner.plan(profile: profile, points: names, modelMap: map)
    } catch {
        fatalError("cannot plan the device profile \(path): \(error)")
    }
}

/// Reads the fuzz input front to back; zeros once it runs out.
struct Input {
    let bytes: UnsafeBufferPointer<UInt8>
    var at = 0
    mutating func byte() -> UInt8 {
        defer { at += 1 }
        return at < bytes.count ? bytes[at] : 0
    }
    mutating func word() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }
    var exhausted: Bool { at >= bytes.count }
}

/// libFuzzer entry: Modbus replies. The first byte picks a profile; then, per block of its poll plan, one byte
/// picks the reply shape (failed read, short, long or exact) followed by the big-endian registers, and the plan
/// decodes the replies. The rest of the input is decoded raw as every register type in both word orders.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    var input = Input(bytes: UnsafeBufferPointer(start: data, count: size))
    let plan = plans[Int(input.byte()) % plans.count]
    var replies: [[UInt16]?] = []
    for block in plan.blocks {
        let shape = input.byte()
        let count: Int
        switch shape {
        case 0:
            replies.append(nil)
            continue
        case 1...15: count = Int(shape) - 1  // short (or empty) reply
        case 16...31: count = block.count + Int(shape) - 15  // longer than asked
        default: count = block.count
        }
        replies.append((0..<count).map { _ in input.word() })
    }
    _ = plan.decode(replies)
    while !input.exhausted {
        let type = RegisterType.allCases[Int(input.byte()) % RegisterType.allCases.count]
        let words = type == .string ? Int(input.byte() % 8) : type.words
        let registers = (0..<words).map { _ in input.word() }
        for order in WordOrder.allCases {
            if case .number(let n)? = try? RegisterCodec.decodeRaw(registers, type: type, wordOrder: order) {
                precondition(n.isFinite, "\(type) decoded a non-finite number")
            }
        }
    }
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
