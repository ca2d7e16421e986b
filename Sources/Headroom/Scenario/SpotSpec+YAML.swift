import HeadroomEngine

/// `spot:` and `availability:` of a node pool, each refused with its place when wrong.
extension SpotSpec {
    init(_ value: YAMLValue) throws(ScenarioError) {
        let map = try value.mapping(allowing: ["interruption_rate", "interruptions", "notice"])
        self.init()
        if let rate = map["interruption_rate"] {
            if try rate.scalar("a rate such as 0.5/h").hasPrefix("-") { throw rate.error("must not be negative, got `\(try rate.scalar(""))`") }
            interruptionsPerHour = try rate.ratePerHour()
        }
        if let times = map["interruptions"] {
            interruptions = try times.sequence().map { (t) throws(ScenarioError) in try t.duration() }
        }
        guard map["interruption_rate"] != nil || map["interruptions"] != nil else {
            throw value.error("a spot pool needs `interruption_rate` (per node, e.g. `0.5/h`) or `interruptions` (a list of times)")
        }
        if let notice = map["notice"] {
            if try notice.scalar("a duration").hasPrefix("-") { throw notice.error("must not be negative, got `\(try notice.scalar(""))`") }
            self.notice = try notice.duration()
        }
    }
}

extension AvailabilityStep {
    /// A list of `{from, nodes}` steps, `from` strictly increasing, `nodes` within `max_nodes`.
    static func steps(_ value: YAMLValue, maxNodes: Int) throws(ScenarioError) -> [AvailabilityStep] {
        let items = try value.sequence()
        guard !items.isEmpty else { throw value.error("list at least one `{from: 0s, nodes: N}` step") }
        var steps: [AvailabilityStep] = []
        for item in items {
            let map = try item.mapping(allowing: ["from", "nodes"])
            let fromValue = try map.required("from")
            let from = try fromValue.duration()
            if let last = steps.last, from <= last.from {
                throw fromValue.error("availability must be sorted: `from` (\(from)) must be after the previous step's (\(last.from))")
            }
            steps.append(AvailabilityStep(from: from, nodes: try map.required("nodes").int(0...maxNodes)))
        }
        return steps
    }
}
