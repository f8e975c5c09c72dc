/// Splits an integer amount of fen into parts proportional to weights so that the parts sum to the amount
/// exactly (largest-remainder / Hamilton method): every part gets the floor of its exact quota, and the fen
/// left over go one each to the parts with the largest fractional remainders (ties: lower index first).
///
/// Negative or non-finite weights count as 0. When every weight is 0, the amount is split equally. The sign
/// of the amount carries to every part (a penalty is shared the same way as a payment).
public enum LargestRemainder {
    public static func split(_ amountFen: Int, weights: [Double]) -> [Int] {
        guard !weights.isEmpty else { return [] }
        var w = weights.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        var total = w.reduce(0, +)
        if total <= 0 {
            w = Array(repeating: 1, count: w.count)
            total = Double(w.count)
        }
        let amount = Int(amountFen.magnitude)
        let quotas = w.map { Double(amount) * $0 / total }
        var parts = quotas.map { Int($0.rounded(.down)) }
        let fractions = zip(quotas, parts).map { $0 - Double($1) }
        var left = amount - parts.reduce(0, +)
        // Largest fractions first; when floating error overshot (left < 0) take back from the smallest.
        let order = fractions.indices.sorted { (fractions[$0], -$0) > (fractions[$1], -$1) }
        var k = 0
        while left > 0 {
            parts[order[k % order.count]] += 1
            left -= 1
            k += 1
        }
        k = order.count - 1
        while left < 0 {
            let i = order[(k % order.count + order.count) % order.count]
            if parts[i] > 0 {
                parts[i] -= 1
                left += 1
            }
            k -= 1
        }
        return amountFen < 0 ? parts.map { -$0 } : parts
    }
}
