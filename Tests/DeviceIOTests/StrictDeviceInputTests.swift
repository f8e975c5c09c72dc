import Foundation
import Testing
import VPPCore

@testable import DeviceIO

/// Hostile telemetry, register replies and profiles: refused with an error, never a trap (README "Files: inbox and outbox").
@Suite("Strict device inputs: MQTT booleans, codec bounds, profile numbers")
struct StrictDeviceInputTests {
    static func profileText(_ name: String) throws -> String {
        try String(
            contentsOf: ProfileFixtures.profilesDirectory.appendingPathComponent("\(name).yaml"), encoding: .utf8)
    }

    static func decoder() throws -> MQTTStateDecoder {
        MQTTStateDecoder(
            profile: try ProfileLoader.parse(yaml: profileText("mqtt-pv"), id: "mqtt-pv", file: "mqtt-pv.yaml"))
    }

    @Test("an MQTT boolean is 1/0 for connected and fault, and garbage for a quantity")
    func mqttBooleans() throws {
        let d = try Self.decoder()
        let id = DeviceID("pv-1")
        let out = try d.decode(
            Array(#"{"ac": {"power": true, "voltage": 230}, "gridConnected": true, "errorCode": false}"#.utf8),
            device: id)
        #expect(out.values[.activePowerKW] == nil, "power: true must not read as 1 W")
        #expect(out.values[.voltageV] == 230 && out.values[.connected] == 1 && out.values[.fault] == 0)
        #expect(out.rejected.count == 1 && out.rejected.first?.description.contains("boolean") == true)
        let huge = try d.decode(Array(#"{"ac": {"power": 1e400, "frequency": "0x32"}}"#.utf8), device: id)
        #expect(huge.values.isEmpty && huge.rejected.count == 2)
    }

    @Test("a decoded value that scaling takes to infinity is refused as not finite")
    func codecScaleOverflow() {
        let p = ResolvedModbusPoint(
            name: "p", table: .holding, address: 0, type: .uint16, count: 1, wordOrder: .big, scale: 1e308)
        #expect(throws: RegisterCodecError.notFinite(point: "p")) {
            try RegisterCodec.decode(p, block: [65534], blockStart: 0, scaleFactor: nil)
        }
    }

    @Test("hostile addresses and counts give codec errors, not overflow traps")
    func codecAddressBounds() {
        let far = ResolvedModbusPoint(
            name: "p", table: .holding, address: Int.max, type: .uint16, count: Int.max, wordOrder: .big)
        #expect(throws: RegisterCodecError.self) {
            try RegisterCodec.decode(far, block: [1, 2], blockStart: Int.min, scaleFactor: nil)
        }
        let error = RegisterCodecError.outsideBlock(
            point: "p", address: Int.max, count: Int.max, blockStart: Int.max, blockCount: Int.max)
        #expect(error.description.contains("p"))
        #expect(throws: RegisterCodecError.self) { try RegisterCodec.encodeString("x", words: Int.max) }
        #expect(throws: RegisterCodecError.self) { try RegisterCodec.encodeString("", words: -1) }
        var spec = PointSpec(name: "p")
        spec.modbus = PointSpec.ModbusPoint(address: Int.max, type: .uint16)
        spec.modbus?.model = 1
        #expect(throws: RegisterCodecError.self) { try ResolvedModbusPoint(spec, modelStart: 40_002) }
    }

    @Test("profile numbers: hex, quoted, infinite and huge values are refused naming the key")
    func profileNumbers() throws {
        let good = try Self.profileText("modbus-meter")
        _ = try ProfileLoader.parse(yaml: good, id: "m", file: "m.yaml")
        for (from, to, key) in [
            ("address: 52,", "address: 0x34,", "address"),
            ("address: 52,", "address: \"52\",", "address"),
            ("address: 52,", "address: 9223372036854775807,", "address"),
            ("scale: -0.001", "scale: -.inf", "scale"),
            ("responseTimeoutMs: 500", "responseTimeoutMs: 9223372036854775807", "responseTimeoutMs"),
            ("minRequestGapMs: 20", "minRequestGapMs: 9223372036854775807", "minRequestGapMs"),
            ("staleAfterMs: 5000", "staleAfterMs: 9223372036854775807", "staleAfterMs"),
            ("revertTimeoutS: 60", "revertTimeoutS: 9223372036854775807", "revertTimeoutS"),
        ] {
            let yaml = good.replacingOccurrences(of: from, with: to)
            #expect(yaml != good, "fixture lacks \(from)")
            do {
                _ = try ProfileLoader.parse(yaml: yaml, id: "m", file: "m.yaml")
                Issue.record("accepted \(to)")
            } catch {
                #expect(error.description.contains(key), "\(to): \(error)")
            }
        }
    }
}
