import DeviceIO
import Foundation
import Testing
import VPPCore

@testable import Simulator

@Suite("MQTT state JSON")
struct MQTTStateEncoderTests {
    @Test(
        "state JSON nests dotted paths, converts to device units and writes integers and decimals exactly"
    )
    func encode() throws {
        let profile = try #require(try loadProfiles()["mqtt-v2g"])
        let encoder = MQTTStateEncoder(profile: profile)
        var t = Telemetry()
        t[.activePowerKW] = -7.25  // charging 7.25 kW → +7250 W in OCPP sign
        t[.socPercent] = 42.1234
        t[.connected] = 1
        t[.fault] = 0
        t[.departureTime] = 1_800_000_000
        t[.minChargeKW] = 1.4
        var rng = SeededRandom(seed: 1)
        let bytes = encoder.encode(telemetry: t, echo: [:], rng: &rng)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let evse = try #require(obj["evse"] as? [String: Any])
        #expect((evse["power"] as? NSNumber)?.doubleValue == 7250)
        #expect(evse["plugged"] as? Bool == true)
        #expect((evse["errorCode"] as? NSNumber)?.intValue == 0)
        #expect(((obj["ev"] as? [String: Any])?["soc"] as? NSNumber)?.doubleValue == 42.123)
        let needs = try #require(obj["chargingNeeds"] as? [String: Any])
        #expect((needs["departureTime"] as? NSNumber)?.int64Value == 1_800_000_000)
        let v2x = try #require(needs["v2xChargingParameters"] as? [String: Any])
        #expect((v2x["minChargePower"] as? NSNumber)?.doubleValue == 1400)
        #expect(v2x["maxChargePower"] == nil, "absent values are left out")
    }

    @Test("integers are written digit by digit, signs and zero included")
    func integers() {
        for n: Int64 in [0, 7, -7, 10, 123_456_789, -1_000_000_000_000, Int64.max, Int64.min + 1] {
            var out: [UInt8] = []
            MQTTStateEncoder.appendInteger(n, &out)
            #expect(String(decoding: out, as: UTF8.self) == String(n))
        }
    }
}
