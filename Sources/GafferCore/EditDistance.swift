/// Edit distance for "did you mean" answers: insertions, deletions,
/// substitutions and swaps of two neighbours each cost 1 (optimal string
/// alignment), compared without regard to case.
public enum EditDistance {
    /// The distance between `a` and `b`, or nil when it is over `limit`. Strings
    /// whose lengths differ by more than `limit` are rejected before any work, so
    /// a 64 KB input costs nothing.
    public static func distance(_ a: String, _ b: String, limit: Int) -> Int? {
        let x = Array(a.lowercased().unicodeScalars)
        let y = Array(b.lowercased().unicodeScalars)
        guard abs(x.count - y.count) <= limit else { return nil }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        var previous2 = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
                    best = min(best, previous2[j - 2] + 1)
                }
                current[j] = best
                rowMinimum = min(rowMinimum, best)
            }
            if rowMinimum > limit { return nil }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[y.count] <= limit ? previous[y.count] : nil
    }

    /// The candidate nearest to `text` within `limit`, the first on a tie.
    public static func nearest(to text: String, in candidates: [String], within limit: Int) -> String? {
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            guard let d = distance(text, candidate, limit: limit), d > 0 else { continue }
            if let found = best, found.distance <= d { continue }
            best = (candidate, d)
        }
        return best?.candidate
    }
}
