/// MQTT topic filter matching and the subscription plan for many device topics.
public enum MQTTTopicFilter {
    /// True when `topic` matches `filter` (`+` one level, `#` the rest, MQTT 3.1.1 §4.7). Topics starting with
    /// `$` are not matched by a filter starting with a wildcard.
    public static func matches(_ filter: String, _ topic: String) -> Bool {
        let f = filter.split(separator: "/", omittingEmptySubsequences: false)
        let t = topic.split(separator: "/", omittingEmptySubsequences: false)
        if topic.hasPrefix("$") && (filter.hasPrefix("+") || filter.hasPrefix("#")) { return false }
        var i = 0
        while i < f.count {
            if f[i] == "#" { return true }
            guard i < t.count else { return false }
            if f[i] != "+" && f[i] != t[i] { return false }
            i += 1
        }
        return i == t.count
    }

    /// The filters to subscribe to so that every topic in `topics` is received, with as few subscriptions as
    /// practical: topics with the same number of levels are covered by one filter that keeps every level they
    /// share and puts `+` where they differ (`site/+/ev/+/state`). A group of at most `exactLimit` topics, or
    /// one whose filter would also match a topic in `avoid` (our own command topics), is subscribed topic by
    /// topic instead. Extra topics a filter lets in are dropped by the receiver's exact topic lookup.
    public static func plan(topics: [String], avoid: [String] = [], exactLimit: Int = 8) -> [String] {
        var groups: [Int: [[Substring]]] = [:]
        for t in Set(topics) {
            let levels = t.split(separator: "/", omittingEmptySubsequences: false)
            groups[levels.count, default: []].append(levels)
        }
        var filters: [String] = []
        for (_, group) in groups.sorted(by: { $0.key < $1.key }) {
            let exact = group.map { $0.joined(separator: "/") }.sorted()
            if group.count <= exactLimit {
                filters += exact
                continue
            }
            var levels = group[0].map(String.init)
            for other in group.dropFirst() {
                for (k, level) in other.enumerated() where levels[k] != "+" && levels[k] != level { levels[k] = "+" }
            }
            let filter = levels.joined(separator: "/")
            if avoid.contains(where: { matches(filter, $0) }) {
                filters += exact
            } else {
                filters.append(filter)
            }
        }
        return filters
    }
}
