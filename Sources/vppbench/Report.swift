import Foundation

/// One benchmark figure: a number with its unit (DESIGN §9).
struct Figure: Codable, Sendable {
    var value: Double
    var unit: String
}

/// The result of one suite: printed as a human table, or with `--json` as one JSON object
/// `{"suite": …, "figures": {name: {"value": number, "unit": text}}}`.
struct Report: Sendable {
    var suite: String
    private(set) var order: [String] = []
    private(set) var figures: [String: Figure] = [:]
    /// Targets from the issues, printed next to the figures (name → human text).
    var targets: [String: String] = [:]

    init(suite: String) { self.suite = suite }

    mutating func add(_ name: String, _ value: Double, _ unit: String, target: String? = nil) {
        if figures[name] == nil { order.append(name) }
        figures[name] = Figure(value: value, unit: unit)
        if let target { targets[name] = target }
    }

    func print(json: Bool) {
        if json {
            struct Out: Codable {
                var suite: String
                var figures: [String: Figure]
            }
            let enc = JSONEncoder()
            enc.outputFormatting = [.sortedKeys]
            if let data = try? enc.encode(Out(suite: suite, figures: figures)),
                let text = String(data: data, encoding: .utf8)
            {
                Swift.print(text)
            }
            return
        }
        let w = max(order.map(\.count).max() ?? 10, 10)
        Swift.print("vppbench \(suite)")
        for name in order {
            guard let f = figures[name] else { continue }
            let pad = String(repeating: " ", count: w - name.count)
            let value = String(format: f.value >= 100 ? "%.0f" : "%.3f", f.value)
            let target = targets[name].map { "   (target \($0))" } ?? ""
            Swift.print("  \(name)\(pad)  \(value) \(f.unit)\(target)")
        }
    }
}

/// Percentile of a sample (nearest-rank), seconds in → same unit out.
func percentile(_ xs: [Double], _ p: Double) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    let rank = Int((p / 100 * Double(s.count)).rounded(.up)) - 1
    return s[min(max(rank, 0), s.count - 1)]
}

/// Peak resident set size of this process, MB (from /proc/self/status VmHWM).
func peakRSSMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
        return .nan
    }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kb / 1024
    }
    return .nan
}

/// Current resident set size of this process, MB (VmRSS).
func currentRSSMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else {
        return .nan
    }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kb / 1024
    }
    return .nan
}
