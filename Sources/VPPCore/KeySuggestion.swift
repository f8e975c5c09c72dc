/// "Did you mean …?" for strict readers (device profiles, market profiles): the allowed key a misspelt key was
/// most likely meant to be.
public enum KeySuggestion {
    /// The allowed key closest to `key` by edit distance (case-insensitive), if it is plausibly a typo: at most
    /// 2 edits, or a third of the allowed key's length for long keys. Ties go to the first in `allowed`.
    public static func closest(to key: String, in allowed: [String]) -> String? {
        let k = Array(key.lowercased())
        var best: (String, Int)?
        for a in allowed {
            let d = editDistance(k, Array(a.lowercased()))
            if d <= max(2, a.count / 3), d < (best?.1 ?? Int.max) { best = (a, d) }
        }
        return best?.0
    }

    /// The Levenshtein distance between `a` and `b` (insertions, deletions and substitutions each cost 1).
    public static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
