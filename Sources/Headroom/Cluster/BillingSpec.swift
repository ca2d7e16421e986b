import HeadroomEngine

/// How a node pool's provider turns a node's life into billed seconds: the increment a partial
/// period is rounded up to, and the least a node that ran at all is charged.
///
/// Public examples (for scenarios to state, never applied silently):
/// - AWS EC2 On-Demand, Spot and Reserved instances of open-source Linux (Amazon Linux, Ubuntu):
///   per second with a 60 s minimum; commercial Linux (RHEL, SUSE): per hour. Source: AWS
///   whitepaper "Amazon EC2 Reserved Instances and Other AWS Reservation Models", section
///   *Usage billing* (docs.aws.amazon.com/whitepapers/latest/cost-optimization-reservation-models/usage-billing.html),
///   and the EC2 per-second billing announcement of 18 September 2017.
/// - Google Compute Engine: per second after a 1 minute minimum (Compute Engine pricing;
///   e.g. Packt, *Google Cloud Platform for Developers*, "Pricing on GCE").
///
/// The default — per second, no minimum — is the bill Headroom has always computed.
public struct BillingSpec: Sendable, Equatable {
    /// The increment a node's billed time is rounded up to.
    public enum Granularity: String, Sendable, CaseIterable {
        case perSecond = "per_second"
        case perMinute = "per_minute"
        case perHour = "per_hour"

        /// The increment in nanoseconds.
        public var nanoseconds: Int64 {
            switch self {
            case .perSecond: return 1_000_000_000
            case .perMinute: return 60_000_000_000
            case .perHour: return 3_600_000_000_000
            }
        }
    }

    /// Default per second.
    public var granularity: Granularity
    /// Least time billed for a node that ran at all (AWS Linux and GCP: 60 s). Default 0.
    public var minimum: SimTime

    public init(granularity: Granularity = .perSecond, minimum: SimTime = .zero) {
        self.granularity = granularity
        self.minimum = minimum
    }

    /// Billed nanoseconds for a stretch of `used` nanoseconds of one node: rounded up to the
    /// granularity, then raised to the minimum. Nothing used bills nothing.
    public func billed(_ used: SimTime) -> SimTime {
        guard used > .zero else { return .zero }
        let step = granularity.nanoseconds
        let periods = used.nanoseconds / step + (used.nanoseconds % step == 0 ? 0 : 1)
        let rounded = periods.multipliedReportingOverflow(by: step)
        return max(minimum, rounded.overflow ? .never : SimTime(nanoseconds: rounded.partialValue))
    }
}
