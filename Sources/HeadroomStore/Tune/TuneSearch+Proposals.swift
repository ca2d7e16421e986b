import Foundation

extension TuneSearch {
    /// Up to `count` points not tried before: a Latin hypercube in the first round; later half
    /// neighbours of the best candidate, half Parzen proposals, topped up with uniform draws.
    mutating func proposals(_ count: Int) -> [[Int]] {
        guard count > 0 else { return [] }
        var picked: [[Int]] = []
        var seen = Set(taken.keys)
        func take(_ point: [Int]) {
            guard picked.count < count, !seen.contains(point) else { return }
            seen.insert(point)
            picked.append(point)
        }
        if candidates.isEmpty {
            for point in latinHypercube(count) { take(point) }
        } else {
            let ranked = self.ranked
            let centre = incumbent ?? ranked.first!
            for point in neighbours(of: candidates[centre].levels) where picked.count < (count + 1) / 2 { take(point) }
            let observed = ranked.map { candidates[$0].levels }
            while picked.count < count, let point = proposal.propose(ranked: observed, taken: seen, generator: &generator) { take(point) }
        }
        var attempts = 0
        while picked.count < count && attempts < 64 * count {
            take(proposal.uniform(&generator))
            attempts += 1
        }
        // A small space nearly exhausted: take what is left in order.
        if picked.count < count, settings.spaceSize <= 100_000, seen.count < settings.spaceSize {
            var point = [Int](repeating: 0, count: settings.parameters.count)
            repeat {
                take(point)
            } while picked.count < count && Self.advance(&point, radices: settings.parameters.map(\.levels.count))
        }
        return picked
    }

    /// One level and about a tenth of the range either way in each numeric parameter; every other
    /// category in each categorical one.
    func neighbours(of centre: [Int]) -> [[Int]] {
        var result: [[Int]] = []
        for (d, parameter) in settings.parameters.enumerated() {
            let count = parameter.levels.count
            let offsets: [Int] = parameter.kind == .categorical ? (0..<count).map { $0 - centre[d] }
                : [-1, 1, -max(2, count / 10), max(2, count / 10)]
            for offset in offsets where offset != 0 {
                let level = centre[d] + offset
                guard (0..<count).contains(level) else { continue }
                var point = centre
                point[d] = level
                result.append(point)
            }
        }
        return result
    }

    /// `count` points, each parameter's range cut into `count` strata visited once in a shuffled
    /// order (McKay, Beckman & Conover 1979).
    mutating func latinHypercube(_ count: Int) -> [[Int]] {
        var columns: [[Int]] = []
        for d in settings.parameters.indices {
            var strata = Array(0..<count)
            for i in stride(from: count - 1, to: 0, by: -1) { strata.swapAt(i, Int(generator.next() % UInt64(i + 1))) }
            columns.append(strata.map { stratum in
                if settings.parameters[d].kind == .categorical { return stratum % settings.parameters[d].levels.count }
                return proposal.nearest(d, to: (Double(stratum) + generator.uniform()) / Double(count))
            })
        }
        return (0..<count).map { i in columns.map { $0[i] } }
    }

    /// The next point in mixed-radix order (last parameter fastest); false after the last.
    static func advance(_ point: inout [Int], radices: [Int]) -> Bool {
        for d in point.indices.reversed() {
            point[d] += 1
            if point[d] < radices[d] { return true }
            point[d] = 0
        }
        return false
    }
}
