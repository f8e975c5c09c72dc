/// Money in settlement is integer fen (分, 0.01 yuan) so that sums are exact: every amount is computed in
/// yuan per interval, rounded once to the fen (half away from zero), and only fen are added up.
public enum Fen {
    /// `yuan` rounded to the nearest fen, half away from zero. The value is first snapped to 1e-6 fen so that
    /// binary noise (12.345 × 100 = 1234.4999…) rounds the way the decimal figure does.
    public static func from(yuan: Double) -> Int {
        guard yuan.isFinite else { return 0 }
        let fen = (yuan * 100 * 1e6).rounded() / 1e6
        return Int(fen.rounded(.toNearestOrAwayFromZero))
    }

    /// `fen` as a decimal yuan string with two places (`-1234` → `-12.34`), exact (no floating point).
    public static func yuanText(_ fen: Int) -> String {
        let sign = fen < 0 ? "-" : ""
        let a = fen.magnitude
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
