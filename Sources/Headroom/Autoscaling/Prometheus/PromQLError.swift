/// A query Headroom cannot evaluate: a syntax error, or a construct outside the supported subset,
/// named with its 1-based column in the query text.
public struct PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based column of the offending token; 0 when the error concerns evaluation, not the text.
    public var column: Int

    public init(_ message: String, column: Int) {
        self.message = message
        self.column = column
    }

    public var description: String { column > 0 ? "column \(column): \(message)" : message }

    /// The forms the subset accepts, for refusals.
    public static let supported = """
        selectors with =, !=, =~, !~ matchers and [range]; rate, irate, increase, avg_over_time, max_over_time, \
        min_over_time, sum_over_time, count_over_time, last_over_time, histogram_quantile, abs, ceil, floor, \
        clamp_min, clamp_max, scalar, vector, time; sum, avg, max, min, count with by/without; + - * / % ^ and \
        == != > < >= <= (with bool) between scalars and vectors, on/ignoring one-to-one
        """
}
