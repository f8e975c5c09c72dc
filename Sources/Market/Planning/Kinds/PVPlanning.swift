import Foundation
import VPPCore

/// PV in the plan: its forecast (explicit, or the clear-sky shape at its site scaled by the measured ratio)
/// is capability up to the forecast; only an uncurtailable array also holds the floor there. Arrays are
/// aggregated per site group and curtailability.
struct PVPlanning: PlanningComponent {
    var absorbs: Bool { false }

    func validate(_ r: PlanningResource, intervals: Int, bad: (String, String) -> PlanningError)
        throws(PlanningError)
    {
        if let f = r.pvForecastKW {
            guard f.count == intervals, f.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw bad("pvForecastKW", "needs \(intervals) values, each ≥ 0 kW")
            }
        } else {
            guard let lat = r.latitude, let lon = r.longitude, (-90...90).contains(lat), (-180...180).contains(lon)
            else {
                throw bad("latitude", "a PV resource needs latitude/longitude or pvForecastKW")
            }
        }
    }

    func contribute(_ r: PlanningResource, index: Int, site: SiteShare, into a: inout FleetAssembly) {
        let n = a.intervals
        let forecast: [Double]
        if let f = r.pvForecastKW {
            forecast = f
        } else {
            let lat = r.latitude ?? 0
            let lon = r.longitude ?? 0
            let key = "\((lat * 10).rounded()),\((lon * 10).rounded())"  // 0.1° ≈ 10 km: same sky
            let shape =
                a.clearSkyCache[key]
                ?? ClearSky.pvFraction(latitude: lat, longitude: lon, day: a.day, timeZone: a.timeZone)
            a.clearSkyCache[key] = shape
            let ratio = min(max(r.pvRatio ?? 1, 0), PVForecaster.maximumRatio)
            forecast = shape.map { $0 * r.ratedKW * ratio }
        }
        let kW = forecast.map { min($0, r.ratedKW) * site.exportFactor }
        for t in 0..<n {
            a.siteMaxKW[t] += kW[t]
            if !r.curtailable { a.siteMinKW[t] += kW[t] }
        }
        let key = PreparedFleet.PVKey(group: site.group, curtailable: r.curtailable)
        var sum = a.pvGroups[key] ?? [Double](repeating: 0, count: n)
        for t in 0..<n { sum[t] += kW[t] }
        a.pvGroups[key] = sum
    }
}
