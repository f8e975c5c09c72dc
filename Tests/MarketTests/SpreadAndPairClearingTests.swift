import Testing

@testable import Market

private func sell(_ id: String, _ price: Double, _ q: Double, energy: Double? = nil)
    -> CentralizedOrder
{
    CentralizedOrder(
        id: id, side: .sell, priceYuanPerMWh: price, quantityMWh: q, unitEnergyUse: energy)
}
private func buy(_ id: String, _ price: Double, _ q: Double) -> CentralizedOrder {
    CentralizedOrder(id: id, side: .buy, priceYuanPerMWh: price, quantityMWh: q)
}

@Suite("Guangdong spread pairs (DOMAIN §4)")
struct GuangdongSpreadPairsTests {
    @Test(
        "worked example: pairs trade by spread, equal seller spreads by energy use, price from the last pair"
    )
    func workedExample() throws {
        // Buyers by spread: B1 −20 (200), B2 −35 (100), B3 −60 (100). Sellers: S1 −50 (150), then the −40 tie
        // broken by energy use S3 (290) before S2 (310), then S4 −10.
        //   B1·S1 pair spread 30 → 150;  B1·S3 20 → 50;  B2·S3 5 → 50;  B2·S2 5 → 50;  B3·S2 −20 → stop.
        // Last matched pair (−35, −40) → uniform price −37.5; volume 300.
        let r = try GuangdongSpreadPairs.clear([
            buy("B1", -20, 200), buy("B2", -35, 100), buy("B3", -60, 100),
            sell("S1", -50, 150, energy: 300), sell("S2", -40, 100, energy: 310),
            sell("S3", -40, 100, energy: 290),
            sell("S4", -10, 100, energy: 280),
        ])
        #expect(r.priceYuanPerMWh == -37.5)
        #expect(r.volumeMWh == 300)
        #expect(r.matchedMWh == ["B1": 200, "B2": 100, "S1": 150, "S3": 100, "S2": 50])
    }

    @Test("sellers tied on spread and energy use share pro rata")
    func proRata() throws {
        let r = try GuangdongSpreadPairs.clear([
            sell("S1", -30, 60), sell("S2", -30, 40), buy("B", -10, 50),
        ])
        #expect(r.priceYuanPerMWh == -20)
        #expect(r.matchedMWh == ["S1": 30, "S2": 20, "B": 50])
    }

    @Test("a negative pair spread does not trade; zero does")
    func negativeSpread() throws {
        #expect(try GuangdongSpreadPairs.clear([sell("S", -10, 5), buy("B", -20, 5)]).volumeMWh == 0)
        let zero = try GuangdongSpreadPairs.clear([sell("S", -10, 5), buy("B", -10, 5)])
        #expect(zero.volumeMWh == 5)
        #expect(zero.priceYuanPerMWh == -10)
    }
}

@Suite("Henan pay-as-matched (DOMAIN §4)")
struct HenanPayAsMatchedTests {
    @Test("worked example: E = A − B − C − D, largest E first, each pair splits E equally")
    func workedExample() throws {
        // C = 20, D = 10. E: B1·S1 = 70, B2·S1 = 50, B1·S2 = 30, B2·S2 = 10.
        //   B1·S1 80 (S1 done) → B2·S1 skipped → B1·S2 20 (B1 done) → B2·S2 50.
        let m = try HenanPayAsMatched.clear(
            [buy("B1", 400, 100), buy("B2", 380, 50), sell("S1", 300, 80), sell("S2", 340, 100)],
            networkChargeYuanPerMWh: 20, governmentFundsYuanPerMWh: 10)
        #expect(
            m == [
                .init(
                    buyer: "B1", seller: "S1", quantityMWh: 80, spreadYuanPerMWh: 70,
                    buyerPriceYuanPerMWh: 365,
                    sellerPriceYuanPerMWh: 335),
                .init(
                    buyer: "B1", seller: "S2", quantityMWh: 20, spreadYuanPerMWh: 30,
                    buyerPriceYuanPerMWh: 385,
                    sellerPriceYuanPerMWh: 355),
                .init(
                    buyer: "B2", seller: "S2", quantityMWh: 50, spreadYuanPerMWh: 10,
                    buyerPriceYuanPerMWh: 375,
                    sellerPriceYuanPerMWh: 345),
            ])
    }

    @Test("E = 0 is a valid pair; E < 0 is not")
    func boundary() throws {
        let valid = try HenanPayAsMatched.clear(
            [buy("B", 330, 10), sell("S", 300, 10)], networkChargeYuanPerMWh: 20,
            governmentFundsYuanPerMWh: 10)
        #expect(valid.map(\.quantityMWh) == [10])
        #expect(valid.first?.buyerPriceYuanPerMWh == 330)
        let invalid = try HenanPayAsMatched.clear(
            [buy("B", 329.99, 10), sell("S", 300, 10)], networkChargeYuanPerMWh: 20,
            governmentFundsYuanPerMWh: 10)
        #expect(invalid.isEmpty)
    }
}
