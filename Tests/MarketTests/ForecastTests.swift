import Foundation
import Testing
import VPPCore

@testable import Market

enum PriceFixtures {
    static let dir = MarketFixtures.repoRoot.appendingPathComponent("Tests/Fixtures/prices")
}

@Suite("Forecast inputs: price files, similar-day fallback, noise, clear-sky PV, V2G windows")
struct ForecastTests {
    static let hangzhou = (lat: 30.27, lon: 120.15)
    static let summer = MarketDay(year: 2026, month: 6, day: 21)!
    static let winter = MarketDay(year: 2026, month: 12, day: 21)!

    @Test("clear-sky PV is zero at night and peaks near local solar noon, higher in summer than in winter")
    func clearSky() {
        let s = ClearSky.pvFraction(latitude: Self.hangzhou.lat, longitude: Self.hangzhou.lon, day: Self.summer)
        let w = ClearSky.pvFraction(latitude: Self.hangzhou.lat, longitude: Self.hangzhou.lon, day: Self.winter)
        #expect(s.count == 96)
        // 00:00–04:00 and 20:00–24:00 China time: the sun is down in Hangzhou all year.
        for k in Array(0..<16) + Array(80..<96) {
            #expect(s[k] == 0)
            #expect(w[k] == 0)
        }
        // Solar noon at 120.15° E is about 12:00 China time (the zone meridian is 120° E).
        let peak = s.indices.max { s[$0] < s[$1] } ?? 0
        #expect((44...51).contains(peak))
        #expect(s.reduce(0, +) > 1.5 * w.reduce(0, +))
        #expect(s.allSatisfy { (0...1).contains($0) })
    }

    @Test("the measured ratio is recovered from samples and scales the forecast")
    func ratio() throws {
        let day = Self.summer
        let start = day.start()
        let rated = 50.0
        // Samples every 15 min of the day before: 70 % of clear-sky output.
        let samples = (0..<96).map { k -> PVForecaster.Sample in
            let at = start.addingTimeInterval(-86_400 + Double(k) * 900 + 450)
            return .init(
                at: at, kW: 0.7 * rated * ClearSky.fraction(latitude: 30.27, longitude: 120.15, at: at))
        }
        let r = try #require(
            PVForecaster.measuredRatio(samples: samples, ratedKW: rated, latitude: 30.27, longitude: 120.15))
        #expect(abs(r - 0.7) < 1e-9)
        let full = try PVForecaster.forecastKW(ratedKW: rated, latitude: 30.27, longitude: 120.15, ratio: 1, day: day)
        let scaled = try PVForecaster.forecastKW(ratedKW: rated, latitude: 30.27, longitude: 120.15, ratio: r, day: day)
        for (a, b) in zip(full, scaled) { #expect(abs(b - 0.7 * a) < 1e-9) }
        #expect(PVForecaster.measuredRatio(samples: [], ratedKW: rated, latitude: 30.27, longitude: 120.15) == nil)
        #expect(throws: ForecastError.self) {
            try PVForecaster.forecastKW(ratedKW: 10, latitude: 95, longitude: 0, ratio: 1, day: day)
        }
    }

    @Test("similar-day fallback averages the recent days of the same type, weekday or weekend")
    func similarDay() throws {
        // Four weeks of history: weekdays flat at a per-day level, weekends at 500 + k.
        let target = MarketDay(year: 2026, month: 7, day: 15)!  // a Wednesday
        let f = SimilarDayForecaster()
        var history: [MarketDay: [Double]] = [:]
        for back in 1...28 {
            let d = target.adding(days: -back)
            let level = f.isWeekend(d) ? 500.0 : 100.0 + Double(back)
            history[d] = (0..<96).map { level + Double($0) }
        }
        let fc = try f.forecast(for: target, history: history)
        #expect(fc.source == .similarDay)
        let backs = (1...28).filter { !f.isWeekend(target.adding(days: -$0)) }.prefix(5)
        let expectedLevel = backs.map { 100.0 + Double($0) }.reduce(0, +) / 5
        for k in 0..<96 { #expect(abs(fc.expectedYuanPerMWh[k] - (expectedLevel + Double(k))) < 1e-9) }
        // Quantiles are ordered and bracket the mean.
        let q10 = fc.prices(atLevel: 0.1)
        let q90 = fc.prices(atLevel: 0.9)
        for k in 0..<96 {
            #expect(q10[k] <= fc.expectedYuanPerMWh[k] + 1e-9)
            #expect(q90[k] >= fc.expectedYuanPerMWh[k] - 1e-9)
        }
        // A Saturday uses the weekend days only.
        let saturday = MarketDay(year: 2026, month: 7, day: 18)!
        #expect(f.isWeekend(saturday))
        let sat = try f.forecast(for: saturday, history: history.filter { $0.key < target })
        #expect(abs(sat.expectedYuanPerMWh[0] - 500) < 1e-9)
        #expect(throws: ForecastError.self) { try f.forecast(for: target, history: [:]) }
    }

    @Test("forecast noise is reproducible per seed and day, and differs between seeds")
    func noise() {
        let actual = SyntheticPrices(seed: 1).prices(for: Self.summer)
        let a = ForecastNoise(seed: 5).forecast(actual: actual, day: Self.summer)
        let b = ForecastNoise(seed: 5).forecast(actual: actual, day: Self.summer)
        let c = ForecastNoise(seed: 6).forecast(actual: actual, day: Self.summer)
        #expect(a.expectedYuanPerMWh == b.expectedYuanPerMWh)
        #expect(a.expectedYuanPerMWh != c.expectedYuanPerMWh)
        #expect(a.expectedYuanPerMWh != actual)
        let spread = (actual.max() ?? 0) - (actual.min() ?? 0)
        let rms = (zip(a.expectedYuanPerMWh, actual).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 96).squareRoot()
        #expect(rms < 0.5 * spread)
    }

    @Test("price files: CSV with index and HH:MM labels and quantile columns, JSON with quantiles")
    func files() throws {
        let csv = try PriceSeries.load(file: PriceFixtures.dir.appendingPathComponent("two-days.csv"))
        #expect(csv.days.map(\.description) == ["2026-07-01", "2026-07-02"])
        let d2 = try #require(csv.forecast(for: MarketDay("2026-07-02")!))
        #expect(d2.expectedYuanPerMWh.count == 96)
        #expect(d2.quantiles.map(\.level) == [0.1, 0.9])
        #expect(d2.prices(atLevel: 0.5) == d2.expectedYuanPerMWh)
        let json = try PriceSeries.load(file: PriceFixtures.dir.appendingPathComponent("one-day.json"))
        #expect(json.prices.count == 1)
        #expect(json.quantiles.values.first?.count == 2)
        // Round trip through the CSV writer.
        let back = try PriceSeries.parseCSV(csv.csv(), file: "roundtrip")
        #expect(back.prices == csv.prices)
    }

    @Test(
        "bad price files name the problem",
        arguments: [
            ("missing-interval.csv", "lacks interval 96"), ("duplicate-interval.csv", "line 3"),
            ("bad-interval.csv", "'97'"), ("bad-unit.json", "yuan/kWh"),
        ])
    func badFiles(file: String, mention: String) {
        do {
            _ = try PriceSeries.load(file: PriceFixtures.dir.appendingPathComponent(file))
            Issue.record("\(file) was accepted")
        } catch {
            #expect(error.description.contains(mention), "\(error)")
        }
    }

    @Test("V2G windows from an overnight plug-in history: morning to departure, evening to midnight")
    func v2gHistory() {
        let day = MarketDay(year: 2026, month: 7, day: 15)!
        let tz = MarketDay.defaultTimeZone
        var sessions: [PlugSession] = []
        for back in 1...20 {
            let d = day.adding(days: -back)
            let arrival = d.start(timeZone: tz).addingTimeInterval(19 * 3600)
            let departure = d.adding(days: 1).start(timeZone: tz).addingTimeInterval(8 * 3600)
            sessions.append(.init(arrival: arrival, departure: departure, arrivalSOCPercent: 40 + Double(back % 5)))
        }
        let car = V2GAvailability.Car()
        let a = V2GAvailability.fromHistory(sessions, day: day, car: car)
        #expect(a.windows.map(\.plugged) == [0..<32, 76..<96])
        let midnight = V2GAvailability.midnightLevel(target: 90, hoursAfterMidnight: 8, car: car)
        // 8 h × 7 kW × 0.95 = 53.2 kWh = 76 % of 70 kWh: the car can start from its 20 % floor at midnight.
        #expect(midnight == 20)
        #expect(a.windows[0].endSOCPercent == 90)
        #expect(a.windows[1].startSOCPercent <= 42)
        // Used on fewer than half of the last 28 days: not counted on.
        #expect(V2GAvailability.fromHistory(Array(sessions.prefix(10)), day: day, car: car).windows.isEmpty)
        // A declared plan running past midnight ends the day at the midnight level.
        let plan = PlugSession(
            arrival: day.start(timeZone: tz).addingTimeInterval(22 * 3600),
            departure: day.adding(days: 1).start(timeZone: tz).addingTimeInterval(2 * 3600), arrivalSOCPercent: 50)
        let declared = V2GAvailability.declared([plan], day: day, car: car)
        #expect(declared.windows.map(\.plugged) == [88..<96])
        #expect(
            declared.windows[0].endSOCPercent
                == V2GAvailability.midnightLevel(target: 90, hoursAfterMidnight: 2, car: car))
    }
}
