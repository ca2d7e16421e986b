import HeadroomEngine

/// How a run's speed evolves over simulated time: wall seconds and resident memory at each mark,
/// against the requests the series counted in between. `headroom bench --progress` prints it, so
/// a cost that grows with what the run has created and released (nodes, replicas) shows up as a
/// rising µs per request from one simulated hour to the next.
public struct RunPace: Sendable, Equatable {
    /// Wall time and resident memory when the run first reached a simulated instant.
    public struct Mark: Sendable, Equatable {
        public var simulated: SimTime
        public var wallSeconds: Double
        public var residentMegabytes: Double?
        public init(simulated: SimTime, wallSeconds: Double, residentMegabytes: Double?) {
            self.simulated = simulated
            self.wallSeconds = wallSeconds
            self.residentMegabytes = residentMegabytes
        }
    }

    /// One interval (from the previous mark to this one).
    public struct Row: Sendable, Equatable {
        public var start: SimTime, end: SimTime
        /// Requests that arrived in (start, end] by the series.
        public var requests: Int
        public var wallSeconds: Double
        public var residentMegabytes: Double?
        /// Wall microseconds per arrived request; nil when none arrived.
        public var microsecondsPerRequest: Double? {
            requests > 0 ? wallSeconds * 1e6 / Double(requests) : nil
        }
    }

    public var rows: [Row]

    /// Rows between consecutive marks (the first from time zero and wall zero); arrivals are taken
    /// from the series points whose time lies in each row's (start, end].
    public init(marks: [Mark], series: [SeriesPoint]) {
        var rows: [Row] = []
        var start = SimTime.zero, wall = 0.0, next = 0
        for mark in marks where mark.simulated > start {
            var requests = 0
            while next < series.count, SimTime.seconds(series[next].time) <= mark.simulated {
                if SimTime.seconds(series[next].time) > start { requests += series[next].arrivals }
                next += 1
            }
            rows.append(Row(start: start, end: mark.simulated, requests: requests, wallSeconds: mark.wallSeconds - wall,
                            residentMegabytes: mark.residentMegabytes))
            start = mark.simulated
            wall = mark.wallSeconds
        }
        self.rows = rows
    }
}
