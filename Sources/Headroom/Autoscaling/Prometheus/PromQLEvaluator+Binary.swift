/// Binary operators between scalars and instant vectors (prometheus/prometheus `promql/engine.go`
/// `VectorscalarBinop`, `VectorBinop` for one-to-one matching).
extension PromQLEvaluator {
    func binary(_ op: PromQLBinaryOperator, _ left: PromQLValue, _ right: PromQLValue, returnsBool: Bool,
                matching: PromQLMatching?) throws(PromQLError) -> PromQLValue {
        switch (left, right) {
        case let (.scalar(a), .scalar(b)):
            return .scalar(op.apply(a, b))
        case let (.vector(samples), .scalar(b)):
            return .vector(samples.compactMap { Self.withScalar(op, $0, $0.value, b, returnsBool) })
        case let (.scalar(a), .vector(samples)):
            return .vector(samples.compactMap { Self.withScalar(op, $0, a, $0.value, returnsBool) })
        case let (.vector(lhs), .vector(rhs)):
            return .vector(try Self.oneToOne(op, lhs, rhs, returnsBool: returnsBool, matching: matching))
        }
    }

    /// Arithmetic keeps every element (name dropped); a comparison filters, keeping the vector's
    /// value, or with `bool` yields 0 or 1 (name dropped).
    static func withScalar(_ op: PromQLBinaryOperator, _ sample: PromSample, _ a: Double, _ b: Double, _ returnsBool: Bool) -> PromSample? {
        let result = op.apply(a, b)
        guard op.isComparison else { return PromSample(sample.labels.withoutName, result) }
        if returnsBool { return PromSample(sample.labels.withoutName, result) }
        return result == 1 ? sample : nil
    }

    static func signature(_ labels: Labels, _ matching: PromQLMatching?) -> Labels {
        guard let matching else { return labels.withoutName }
        return matching.on ? labels.keeping(Set(matching.labels)) : labels.dropping(Set(matching.labels).union(["__name__"]))
    }

    static func oneToOne(_ op: PromQLBinaryOperator, _ lhs: [PromSample], _ rhs: [PromSample], returnsBool: Bool,
                         matching: PromQLMatching?) throws(PromQLError) -> [PromSample] {
        var right: [Labels: PromSample] = [:]
        for sample in rhs {
            let key = signature(sample.labels, matching)
            guard right[key] == nil else {
                throw PromQLError("many-to-many matching not allowed: found duplicate series for the match group \(key) "
                                  + "on the right hand-side of \(op.rawValue)", column: 0)
            }
            right[key] = sample
        }
        var out: [PromSample] = []
        var seen = Set<Labels>()
        for sample in lhs {
            let key = signature(sample.labels, matching)
            guard let other = right[key] else { continue }
            let result = op.apply(sample.value, other.value)
            let filters = op.isComparison && !returnsBool
            if filters && result != 1 { continue }
            // `resultMetric`: the name goes for arithmetic and bool; on() keeps, ignoring() drops labels.
            var labels = filters ? sample.labels : sample.labels.withoutName
            if let matching {
                labels = matching.on ? labels.keeping(Set(matching.labels).union(filters ? ["__name__"] : []))
                    : labels.dropping(Set(matching.labels))
            }
            guard seen.insert(labels).inserted else {
                throw PromQLError("multiple matches for labels \(labels): many-to-one matching must be explicit (group_left/group_right)",
                                  column: 0)
            }
            out.append(PromSample(labels, filters ? sample.value : result))
        }
        return out
    }
}
