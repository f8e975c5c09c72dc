import Foundation
import Testing

@testable import DeviceIO

/// The two encodings vendor maps need beyond SunSpec (DeviceProfiles/README.md, Points and Controls): registers
/// holding command codes rather than numbers (`valueMap`), and signed setpoints split into a direction command
/// and a magnitude (`SetpointDirection`).
@Suite("Vendor encodings: value maps and direction commands")
struct VendorEncodingTests {
    /// Solis' on/off register: 0xBE on, 0xDE off.
    static let onOff: ResolvedModbusPoint = {
        var p = ResolvedModbusPoint(
            name: "connected", table: .holding, address: 3006, type: .uint16, count: 1, wordOrder: .big)
        p.valueMap = [0xBE: 1, 0xDE: 0]
        return p
    }()

    @Test("a mapped register decodes its codes to values and encodes values back to codes")
    func valueMapRoundTrip() throws {
        #expect(try RegisterCodec.encode(1, for: Self.onOff, scaleFactor: nil) == [0xBE])
        #expect(try RegisterCodec.encode(0, for: Self.onOff, scaleFactor: nil) == [0xDE])
        for (code, value) in [(UInt16(0xBE), 1.0), (0xDE, 0)] {
            let v = try RegisterCodec.decode(Self.onOff, block: [code], blockStart: 3006, scaleFactor: nil)
            #expect(v?.number == value)
        }
    }

    @Test("a code outside the map is rejected on read, a value outside it on write, never guessed")
    func valueMapRejectsUnknown() {
        #expect(throws: RegisterCodecError.unmappedValue(point: "connected", value: 7)) {
            try RegisterCodec.decode(Self.onOff, block: [7], blockStart: 3006, scaleFactor: nil)
        }
        #expect(throws: RegisterCodecError.unmappedValue(point: "connected", value: 0.5)) {
            try RegisterCodec.encode(0.5, for: Self.onOff, scaleFactor: nil)
        }
    }

    @Test("several codes may stand for one value; writes use the lowest code")
    func manyCodesOneValue() throws {
        var state = Self.onOff
        state.valueMap = [0: 0, 6: 0, 1: 1, 2: 1, 11: 1]  // a charger state read as plugged-in 1/0
        #expect(try RegisterCodec.encode(1, for: state, scaleFactor: nil) == [1])
        #expect(try RegisterCodec.encode(0, for: state, scaleFactor: nil) == [0])
        let v = try RegisterCodec.decode(state, block: [11], blockStart: 3006, scaleFactor: nil)
        #expect(v?.number == 1)
    }

    /// Sungrow SH forced mode: 0xBB discharge, 0xAA charge, 0xCC stop, one magnitude register.
    static let sungrow = SetpointDirection(point: "cmd", positive: 0xBB, negative: 0xAA, zero: 0xCC)
    /// Huawei LUNA2000 forcible mode: 2 discharge, 1 charge, 0 stop, one magnitude register per direction.
    static let huawei = SetpointDirection(
        point: "cmd", positive: 2, negative: 1, zero: 0, negativeMagnitudePoint: "chargeW")

    @Test("the command follows the sign, and zero is the stop command")
    func commandFollowsSign() {
        #expect(Self.sungrow.command(for: 4) == 0xBB)
        #expect(Self.sungrow.command(for: -0.5) == 0xAA)
        #expect(Self.sungrow.command(for: 0) == 0xCC)
    }

    @Test("negative magnitudes go to their own register where the map has one")
    func magnitudeRegisters() {
        #expect(Self.sungrow.magnitudePoint(for: -3, primary: "powerW") == "powerW")
        #expect(Self.huawei.magnitudePoint(for: -3, primary: "dischargeW") == "chargeW")
        #expect(Self.huawei.magnitudePoint(for: 3, primary: "dischargeW") == "dischargeW")
        #expect(Self.huawei.magnitudePoints(primary: "dischargeW") == ["dischargeW", "chargeW"])
    }

    @Test("read back: command and the magnitude it selects give the signed value; an unknown command gives none")
    func readBack() {
        let registers = ["dischargeW": 4.0, "chargeW": 3.0]
        let read = { (name: String) in registers[name] }
        #expect(Self.huawei.signedValue(command: 2, primary: "dischargeW", magnitude: read) == 4)
        #expect(Self.huawei.signedValue(command: 1, primary: "dischargeW", magnitude: read) == -3)
        #expect(Self.huawei.signedValue(command: 0, primary: "dischargeW", magnitude: read) == 0)
        #expect(Self.huawei.signedValue(command: 5, primary: "dischargeW", magnitude: read) == nil)
        #expect(Self.sungrow.signedValue(command: 0xAA, primary: "powerW") { _ in 2.5 } == -2.5)
        #expect(Self.sungrow.signedValue(command: 0xBB, primary: "powerW") { _ in nil } == nil)
    }

    @Test("profiles parse the new keys: direction, revert mechanism, value map, cross-check")
    func parsesKeys() throws {
        let yaml = """
            name: t
            kind: storage
            transport: modbus
            source: test
            crossCheck: second source, differences none
            capabilities: [observe, measure, adjust, control]
            modbus: { wordOrder: little }
            points:
              activePowerKW: { address: 0, type: int16, scale: 0.001 }
              socPercent: { address: 1, type: uint16 }
              connected: { address: 2, type: uint16, valueMap: { 190: 1, 222: 0 } }
              forcedOutKW: { address: 10, type: uint32, scale: 0.001, access: rw, validMin: 0, validMax: 20 }
              forcedInKW: { address: 12, type: uint32, scale: 0.001, access: rw, validMin: 0, validMax: 20 }
              cmd: { address: 14, type: uint16, access: rw }
              minutes: { address: 15, type: uint16, scale: 60, access: rw, poll: never }
            controls:
              activePowerSetpointKW:
                point: forcedOutKW
                direction: { point: cmd, positive: 2, negative: 1, zero: 0, negativeMagnitudePoint: forcedInKW, commandFirst: true }
                revertTimeoutPoint: minutes
                revert: timer
                min: -10
                max: 10
            """
        let p = try ProfileLoader.parse(yaml: yaml, id: "t", file: "t.yaml")
        #expect(p.crossCheck == "second source, differences none")
        #expect(p.points["connected"]?.modbus?.valueMap == [190: 1, 222: 0])
        let c = try #require(p.controls[.activePowerSetpointKW])
        #expect(c.effectiveRevert == .timer)
        #expect(
            c.direction
                == {
                    var d = SetpointDirection(
                        point: "cmd", positive: 2, negative: 1, zero: 0, negativeMagnitudePoint: "forcedInKW")
                    d.commandFirst = true
                    return d
                }())
    }
}
