import DispatchControl
import Foundation
import Testing
import VPPCore

@Suite("Fleet targets and commands in force")
struct TargetComposerTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    func c(
        _ id: String, _ kind: CommandKind, _ target: CommandTarget = .fleet, kW: Double? = nil,
        startOffset: Double = -60,
        duration: Double = 900, status: CommandStatus = .active
    ) -> OperatorCommand {
        OperatorCommand(
            id: CommandID(id), kind: kind, target: target,
            magnitude: kW.map { .init(value: $0, unit: .kW) },
            start: now.addingTimeInterval(startOffset),
            end: now.addingTimeInterval(startOffset + duration), author: "op",
            reason: "r", status: status, createdAt: now)
    }

    @Test("only pending or active commands whose window covers now are in force")
    func window() {
        let a = ActiveCommands(
            [
                c("in", .hold), c("future", .hold, startOffset: 60), c("past", .hold, startOffset: -2000),
                c("cancelled", .hold, status: .cancelled), c("pending", .hold, status: .pending),
            ], now: now)
        #expect(a.commands.map(\.id) == ["in", "pending"])
    }

    @Test("a release ends earlier holds it covers, but never an emergency stop")
    func release() {
        let dev = DeviceDescriptor(
            id: "st-1", profile: "p", kind: .storage, site: "A", owner: "o", ratedPowerKW: 10,
            address: .mqtt(topicBase: "x"))
        let all = [
            c("hold-dev", .hold, .device("st-1"), startOffset: -100),
            c("hold-B", .hold, .site("B"), startOffset: -100),
            c("stop", .emergencyStop, .site("A"), startOffset: -100),
            c("rel-A", .release, .site("A"), startOffset: -50),
            c("hold-after", .hold, .site("A"), startOffset: -10),
        ]
        let a = ActiveCommands(all, now: now, siteOf: ["st-1": "A"])
        #expect(a.commands.map(\.id) == ["hold-B", "stop", "hold-after"])
        #expect(
            a.limits(for: dev, holdKW: 3) == [
                .exactly(0, .emergencyStop("stop")), .exactly(3, .hold("hold-after")),
            ])
    }

    @Test("the market target plus DR; no schedule and no DR means no target")
    func market() {
        let none = ActiveCommands([], now: now)
        #expect(
            TargetComposer.compose(marketKW: 800, demandResponseKW: 150, commands: none)
                == FleetTarget(kW: 950, source: .market, siteTargets: [:]))
        #expect(TargetComposer.compose(marketKW: nil, commands: none).kW == nil)
        #expect(TargetComposer.compose(marketKW: nil, demandResponseKW: 40, commands: none).kW == 40)
    }

    @Test(
        "an override replaces the schedule; a grid instruction replaces both; a fleet stop replaces everything"
    )
    func priority() {
        let o = c("ov", .overrideSchedule, kW: -300)
        let g = c("grid", .gridInstruction, kW: 1200, startOffset: -300)
        #expect(
            TargetComposer.compose(marketKW: 800, commands: ActiveCommands([o], now: now)).source
                == .override("ov"))
        #expect(
            TargetComposer.compose(marketKW: 800, commands: ActiveCommands([o], now: now)).kW == -300)
        let both = TargetComposer.compose(marketKW: 800, commands: ActiveCommands([o, g], now: now))
        #expect(both.kW == 1200 && both.source == .gridInstruction("grid"))
        let stop = TargetComposer.compose(
            marketKW: 800, commands: ActiveCommands([o, g, c("stop", .emergencyStop)], now: now))
        #expect(stop == FleetTarget(kW: 0, source: .emergencyStop("stop"), siteTargets: [:]))
    }

    @Test("site-scoped overrides and grid instructions become site targets; grid wins per site")
    func siteTargets() {
        let t = TargetComposer.compose(
            marketKW: 500,
            commands: ActiveCommands(
                [
                    c("g-A", .gridInstruction, .site("A"), kW: 50, startOffset: -500),
                    c("o-A", .overrideSchedule, .site("A"), kW: 70),
                    c("o-B", .overrideSchedule, .site("B"), kW: -20),
                ], now: now))
        #expect(t.kW == 500 && t.source == .market)
        #expect(t.siteTargets["A"] == FleetTarget.SiteTarget(kW: 50, source: .gridInstruction("g-A")))
        #expect(t.siteTargets["B"] == FleetTarget.SiteTarget(kW: -20, source: .override("o-B")))
    }
}
