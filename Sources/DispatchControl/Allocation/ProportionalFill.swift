/// Shares `amount` (≥ 0) among items in proportion to their weights, none above its cap ("water-filling").
///
/// Finds λ with Σ min(capᵢ, λ·weightᵢ) = amount by visiting items in increasing cap/weight order: those that
/// saturate get their cap, the rest `λ·weight`. O(n log n), deterministic (ties keep input order).
/// Returns the shares in input order; their sum is `min(amount, Σ caps)`.
func proportionalFill(amount: Double, weights: [Double], caps: [Double]) -> [Double] {
    let n = caps.count
    var out = [Double](repeating: 0, count: n)
    guard n > 0, amount > 0 else { return out }
    var totalCap = 0.0
    for c in caps where c > 0 { totalCap += c }
    if amount >= totalCap {
        for i in 0..<n where caps[i] > 0 { out[i] = caps[i] }
        return out
    }
    // A zero or missing weight still takes a share once everyone else is full: a tiny weight proportional to its cap.
    var w = [Double](repeating: 0, count: n)
    var order: [Int] = []
    order.reserveCapacity(n)
    var totalW = 0.0
    for i in 0..<n where caps[i] > 0 {
        let wi = weights[i].isFinite && weights[i] > 0 ? weights[i] : caps[i] * 1e-9
        w[i] = wi
        totalW += wi
        order.append(i)
    }
    order.sort { a, b in
        let ra = caps[a] / w[a]
        let rb = caps[b] / w[b]
        return ra != rb ? ra < rb : a < b
    }
    var left = amount
    var k = 0
    while k < order.count {
        let i = order[k]
        // Saturates when cap/weight ≤ left/totalW.
        if caps[i] * totalW <= left * w[i] {
            out[i] = caps[i]
            left -= caps[i]
            totalW -= w[i]
            k += 1
        } else {
            break
        }
    }
    guard k < order.count, totalW > 0 else { return out }
    let lambda = left / totalW
    while k < order.count {
        let i = order[k]
        out[i] = min(caps[i], lambda * w[i])
        k += 1
    }
    return out
}
