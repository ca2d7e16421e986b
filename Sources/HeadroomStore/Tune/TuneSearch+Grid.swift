import Foundation

extension TuneSearch {
    /// Every point of the space on every seed, in mixed-radix order (last parameter fastest), in
    /// chunks of `chunk` configurations: the exhaustive grid a tune is measured against. No budget.
    public mutating func runGrid(chunk: Int = 16, evaluate: Evaluate, progress: (TuneProgress) -> Void = { _ in }) throws {
        let radices = settings.parameters.map(\.levels.count)
        var point = [Int](repeating: 0, count: radices.count)
        var more = true
        while more {
            var requests: [TuneRun] = []
            var added = 0
            while more && added < chunk {
                let index = candidates.count
                var candidate = TuneCandidate(index: index, levels: point, label: settings.label(point))
                if let why = validate(point) { candidate.status = .invalid(why) }
                taken[point] = index
                candidates.append(candidate)
                if candidate.status == .racing {
                    requests += (0..<settings.seeds).map { TuneRun(candidate: index, levels: point, label: candidate.label, seed: UInt64($0 + 1)) }
                }
                added += 1
                more = Self.advance(&point, radices: radices)
            }
            guard !requests.isEmpty else { continue }
            let results = try evaluate(requests)
            for (request, result) in zip(requests, results) { candidates[request.candidate].results.append(result) }
            runs += requests.count
            rounds += 1
            decideComplete()
            progress(progressNow)
        }
    }

    /// The grid's rule: complete candidates only, the incumbent the best whose means meet the constraints.
    mutating func decideComplete() {
        for i in candidates.indices where candidates[i].status == .racing && candidates[i].seeds >= settings.seeds {
            candidates[i].status = .complete
        }
        incumbent = bestComplete()
    }
}
