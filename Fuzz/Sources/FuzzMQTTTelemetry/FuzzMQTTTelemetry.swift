import DeviceIO
import Foundation
import FuzzDriver
import VPPCore

/// The decoders of the shipped MQTT device profiles (`DeviceProfiles/mqtt-*.yaml`), compiled once.
let decoders: [MQTTStateDecoder] = ["mqtt-pv", "mqtt-v2g"].map { id in
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "../../../DeviceProfiles/\(id).yaml"
    ).standardizedFileURL.path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        fatalError("cannot read the device profile \(path)")
    }
    do {
        return MQTTStateDecoder(profile: try ProfileLoader.parse(yaml: text, id: id, file: path))
    } catch {
        fatalError("cannot parse the device profile \(path): \(error)")
    }
}

let device = DeviceID(rawValue: "fuzz-0001")

/// libFuzzer entry: one MQTT telemetry payload through the state decoder of every shipped MQTT profile (the
/// streaming `JSONFieldExtractor` underneath). Invariant: every accepted value is finite.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let payload = UnsafeRawBufferPointer(UnsafeBufferPointer(start: data, count: size))
    for decoder in decoders {
        guard let decoded = try? decoder.decode(payload, device: device) else { continue }
        for (point, value) in decoded.values {
            precondition(value.isFinite, "\(point) accepted a non-finite value")
        }
    }
    return 0
}

@main
enum Harness {
    static func main() { FuzzDriver.run(fuzz) }
}
