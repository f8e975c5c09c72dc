import Testing

@testable import Market

@Suite("Anhui uniform-price centralized clearing (DOMAIN §4)")
struct AnhuiUniformPriceTests {
    func sell(_ id: String, _ price: Double, _ q: Double) -> CentralizedOrder {
        CentralizedOrder(id: id, side: .sell, priceYuanPerMWh: price, quantityMWh: q)
    }
    func buy(_ id: String, _ price: Double, _ q: Double) -> CentralizedOrder {
        CentralizedOrder(id: id, side: .buy, priceYuanPerMWh: price, quantityMWh: q)
    }

    @Test(
        "worked example: two prices maximise volume, so the price is the mean of seller 320 and buyer 330"
    )
    func twoMaximisingPrices() throws {
        // By hand, V(p) = min(buyers ≥ p, sellers ≤ p):
        //   300 → min(250, 100) = 100   310 → min(250, 100) = 100   320 → min(160, 180) = 160
        //   330 → min(160, 180) = 160   350 → min(60, 230) = 60     360 → min(60, 230) = 60
        // Max 160 at {320 (a seller's price), 330 (a buyer's)} → P = 325. At 325 sellers S1, S2 (180 MWh) and
        // buyers B1, B2 (160 MWh) take part; buyers fill; sellers are rationed closest-first: S2 (|320−325| = 5)
        // gets its 80, S1 (25 away) the remaining 80.
        let r = try AnhuiUniformPrice.clear([
            sell("S1", 300, 100), sell("S2", 320, 80), sell("S3", 350, 50),
            buy("B1", 360, 60), buy("B2", 330, 100), buy("B3", 310, 90),
        ])
        #expect(r.maximisingPricesYuanPerMWh == [320, 330])
        #expect(r.priceYuanPerMWh == 325)
        #expect(r.volumeMWh == 160)
        #expect(r.matchedMWh == ["S1": 80, "S2": 80, "B1": 60, "B2": 100])
    }

    @Test("worked example: a single maximising price is the clearing price")
    func singlePrice() throws {
        // 200 → min(100, 50) = 50; 220 → min(100, 50) = 50; 250 → min(70, 100) = 70 → P = 250.
        // Sellers (100 MWh) are long: S2 at 250 is closest (0 away) and fills 50, S1 gets 20.
        let r = try AnhuiUniformPrice.clear([
            sell("S1", 200, 50), sell("S2", 250, 50), buy("B1", 250, 70), buy("B2", 220, 30),
        ])
        #expect(r.priceYuanPerMWh == 250)
        #expect(r.volumeMWh == 70)
        #expect(r.matchedMWh == ["S2": 50, "S1": 20, "B1": 70])
    }

    @Test("equally close orders are matched larger volume first")
    func largerVolumeFirst() throws {
        let r = try AnhuiUniformPrice.clear([
            sell("small", 300, 30), sell("large", 300, 60), buy("B", 300, 50),
        ])
        #expect(r.priceYuanPerMWh == 300)
        #expect(r.matchedMWh == ["large": 50, "B": 50])
    }

    @Test("no trade when every seller asks more than every buyer bids")
    func noTrade() throws {
        let r = try AnhuiUniformPrice.clear([sell("S", 400, 10), buy("B", 350, 10)])
        #expect(r.priceYuanPerMWh == nil)
        #expect(r.volumeMWh == 0)
        #expect(r.matchedMWh.isEmpty)
    }

    @Test("the 2017 identical-bid case: everyone at 367.4 clears at 367.4 (DOMAIN §4)")
    func identicalBids() throws {
        let orders =
            (1...20).map { sell("G\($0)", 367.4, 10) } + (1...12).map { buy("R\($0)", 367.4, 12) }
        let r = try AnhuiUniformPrice.clear(orders)
        #expect(r.priceYuanPerMWh == 367.4)
        #expect(abs(r.volumeMWh - 144) < 1e-9)
        #expect(abs(r.matchedMWh.values.reduce(0, +) - 288) < 1e-9)  // both sides trade 144 MWh
    }

    @Test("malformed orders are rejected with the order named")
    func badInput() {
        #expect(throws: MarketError.badClearingInput(reason: "order id 'X' appears twice")) {
            try AnhuiUniformPrice.clear([sell("X", 1, 1), buy("X", 2, 1)])
        }
        #expect(throws: MarketError.self) { try AnhuiUniformPrice.clear([sell("Z", 1, -3)]) }
        #expect(throws: MarketError.self) { try AnhuiUniformPrice.clear([sell("N", .nan, 3)]) }
    }
}
