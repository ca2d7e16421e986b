/// Arrivals per whole second, kept only for the seconds that have any (in increasing order, as a
/// trace's non-decreasing timestamps give them): the statistics of a trace whose rows span years
/// take memory for its rows, not for every second in between.
struct BusySeconds {
    /// Seconds with arrivals, ascending, and their counts.
    private(set) var seconds: [Int] = []
    private var counts: [Int] = []
    /// Running totals of `counts` (prefix sums), built on first use.
    private var totals: [Int] = []

    /// The seconds spanned: the last busy second plus one (0 when empty).
    var count: Int { (seconds.last ?? -1) + 1 }

    mutating func add(_ second: Int) {
        if seconds.last == second {
            counts[counts.count - 1] += 1
        } else {
            seconds.append(second)
            counts.append(1)
        }
        totals = []
    }

    /// The most arrivals in any `width` consecutive seconds.
    func busiest(_ width: Int) -> Int {
        var best = 0, window = 0, first = 0
        for (index, second) in seconds.enumerated() {
            window += counts[index]
            while seconds[first] <= second - width {
                window -= counts[first]
                first += 1
            }
            best = max(best, window)
        }
        return best
    }

    /// Arrivals in the seconds `range`.
    mutating func arrivals(in range: Range<Int>) -> Int {
        if totals.count != counts.count + 1 {
            totals = [0]
            totals.reserveCapacity(counts.count + 1)
            for count in counts { totals.append(totals[totals.count - 1] + count) }
        }
        return totals[firstIndex(atLeast: range.upperBound)] - totals[firstIndex(atLeast: range.lowerBound)]
    }

    /// The `p` percentile of the rate (per second) over consecutive `width`-second windows from 0,
    /// the empty windows included.
    func windowRatePercentile(_ p: Double, width: Int) -> Double {
        var busy: [Int] = []
        for (index, second) in seconds.enumerated() {
            if index > 0 && seconds[index - 1] / width == second / width {
                busy[busy.count - 1] += counts[index]
            } else {
                busy.append(counts[index])
            }
        }
        let windows = (count + width - 1) / width
        guard windows > 0 else { return 0 }
        busy.sort()
        let rank = min(windows - 1, Int(p * Double(windows)))
        let empty = windows - busy.count
        return rank < empty ? 0 : Double(busy[rank - empty]) / Double(width)
    }

    /// The index of the first busy second at or after `second`.
    private func firstIndex(atLeast second: Int) -> Int {
        var low = 0, high = seconds.count
        while low < high {
            let middle = (low + high) / 2
            if seconds[middle] < second { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
