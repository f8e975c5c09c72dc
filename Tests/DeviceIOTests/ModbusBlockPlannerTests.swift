import Testing

@testable import DeviceIO

@Suite("Modbus block planner")
struct ModbusBlockPlannerTests {
    static func profile(_ points: [PointSpec], settings: ModbusSettings = ModbusSettings()) -> DeviceProfile {
        DeviceProfile(
            id: "test-profile", name: "test", kind: .pv, transport: .modbus, source: "unit test",
            capabilities: [], modbus: settings,
            points: Dictionary(uniqueKeysWithValues: points.map { ($0.name, $0) }), controls: [:])
    }

    static func mb(
        _ name: String, _ address: Int, _ type: RegisterType, table: RegisterTable = .holding, model: Int? = nil,
        words: Int? = nil, sf: String? = nil
    ) -> PointSpec {
        PointSpec(
            name: name,
            modbus: .init(table: table, address: address, model: model, type: type, words: words, scaleFactor: sf))
    }

    @Test("adjacent and near points of one table share a block; far ones do not")
    func coalescing() throws {
        let p = Self.profile([
            Self.mb("a", 100, .int16), Self.mb("b", 101, .int16), Self.mb("c", 105, .uint32),
            Self.mb("d", 200, .uint16), Self.mb("e", 102, .int16, table: .input),
        ])
        let plan = try BlockPlanner.plan(profile: p, points: ["a", "b", "c", "d", "e"])
        let summary = plan.blocks.map { "\($0.table.rawValue) \($0.start)+\($0.count)" }
        #expect(summary == ["holding 100+7", "holding 200+1", "input 102+1"])
        #expect(plan.blocks[0].points.map(\.name) == ["a", "b", "c"])
    }

    @Test("a gap larger than maxGapRegisters splits the block")
    func gapLimit() throws {
        var s = ModbusSettings()
        s.maxGapRegisters = 3
        let p = Self.profile([Self.mb("a", 0, .int16), Self.mb("b", 4, .int16), Self.mb("c", 9, .int16)], settings: s)
        let plan = try BlockPlanner.plan(profile: p, points: ["a", "b", "c"])
        #expect(plan.blocks.map(\.start) == [0, 9])
        #expect(plan.blocks.map(\.count) == [5, 1])
    }

    @Test("no block exceeds 125 registers, even if the profile allows more")
    func blockLimit() throws {
        var s = ModbusSettings()
        s.maxBlockRegisters = 500
        s.maxGapRegisters = 1000
        let fits = Self.profile([Self.mb("a", 0, .int16), Self.mb("b", 123, .uint32)], settings: s)
        #expect(try BlockPlanner.plan(profile: fits, points: ["a", "b"]).blocks.map(\.count) == [125])
        let over = Self.profile([Self.mb("a", 0, .int16), Self.mb("b", 124, .uint32)], settings: s)
        let blocks = try BlockPlanner.plan(profile: over, points: ["a", "b"]).blocks
        #expect(blocks.map(\.start) == [0, 124])
        #expect(blocks.allSatisfy { $0.count <= 125 })
        // Many points over 1,000 registers: every block ≤ 125 and every point inside exactly one block.
        let many = Self.profile((0..<300).map { Self.mb("p\($0)", $0 * 4, .uint32) }, settings: s)
        let plan = try BlockPlanner.plan(profile: many, points: many.points.keys)
        #expect(plan.blocks.allSatisfy { $0.count <= 125 })
        #expect(plan.blocks.reduce(0) { $0 + $1.points.count } == 300)
        for b in plan.blocks { for pt in b.points { #expect(pt.address >= b.start && pt.end <= b.end) } }
    }

    @Test("scale-factor points come along with the points that need them")
    func scaleFactorsIncluded() throws {
        let p = Self.profile([
            Self.mb("activePowerKW", 14, .int16, model: 103, sf: "W_SF"), Self.mb("W_SF", 15, .sunssf, model: 103),
            Self.mb("energyExportedKWh", 24, .acc32, model: 103, sf: "WH_SF"),
            Self.mb("WH_SF", 26, .sunssf, model: 103),
        ])
        let map = SunSpecModelMap.layout(
            base: 40000, models: [SunSpecModelDecl(id: 1, length: 66), SunSpecModelDecl(id: 103, length: 50)])
        let plan = try BlockPlanner.plan(profile: p, points: ["activePowerKW", "energyExportedKWh"], modelMap: map)
        #expect(Set(plan.points.keys) == ["activePowerKW", "W_SF", "energyExportedKWh", "WH_SF"])
        // Model 103's data starts after SunS (2), model 1 (2 + 66) and its own header (2): 40072.
        #expect(plan.points["activePowerKW"]?.address == 40072 + 14)
        #expect(plan.blocks.count == 1)
        #expect(plan.blocks[0].start == 40086 && plan.blocks[0].count == 13)

        // Decoding the block applies the scale factor: 1234 W × 10^-1 = 123.4; WH_SF "not implemented" → absent.
        var regs = [UInt16](repeating: 0, count: 13)
        regs[0] = 1234
        regs[1] = UInt16(bitPattern: -1)
        regs[10] = 0
        regs[11] = 500
        regs[12] = 0x8000
        let values = plan.decode([regs])
        #expect(try values["activePowerKW"]?.get() == .number(123.4))
        #expect(try values["W_SF"]?.get() == .number(-1))
        #expect(try values["energyExportedKWh"]?.get() == nil)
    }

    @Test("planning errors name the profile, the point and the problem")
    func errors() {
        let p = Self.profile([
            Self.mb("x", 0, .int16, model: 124), Self.mb("y", 0, .int16, sf: "nope"),
            Self.mb("z", 48, .uint32, model: 103), Self.mb("s", 0, .string, words: 200),
        ])
        let map = SunSpecModelMap.layout(base: 0, models: [SunSpecModelDecl(id: 103, length: 49)])
        #expect(throws: ModbusPlanError.modelNotFound(profile: "test-profile", point: "x", model: 124)) {
            try BlockPlanner.plan(profile: p, points: ["x"], modelMap: map)
        }
        #expect(throws: ModbusPlanError.unknownScaleFactor(profile: "test-profile", point: "y", scaleFactor: "nope")) {
            try BlockPlanner.plan(profile: p, points: ["y"])
        }
        #expect(
            throws: ModbusPlanError.outsideModel(
                profile: "test-profile", point: "z", model: 103, offset: 48, count: 2, length: 49)
        ) {
            try BlockPlanner.plan(profile: p, points: ["z"], modelMap: map)
        }
        #expect(throws: ModbusPlanError.pointTooLarge(profile: "test-profile", point: "s", count: 200, maxBlock: 125)) {
            try BlockPlanner.plan(profile: p, points: ["s"])
        }
        #expect(throws: ModbusPlanError.unknownPoint(profile: "test-profile", point: "missing")) {
            try BlockPlanner.plan(profile: p, points: ["missing"])
        }
        let description = ModbusPlanError.modelNotFound(profile: "test-profile", point: "x", model: 124).description
        #expect(description.contains("test-profile") && description.contains("x") && description.contains("124"))
    }
}
