/// A label-matcher regular expression, anchored at both ends as Prometheus anchors RE2 patterns
/// (`^(?:pattern)$`). Swift's Regex syntax covers the forms matchers use (`.*`, `a|b`, classes).
public struct AnchoredPattern: @unchecked Sendable, Equatable {
    public let source: String
    private let regex: Regex<AnyRegexOutput>

    public init(_ source: String) throws {
        self.source = source
        regex = try Regex(source)
    }

    public func matches(_ text: String) -> Bool { (try? regex.wholeMatch(in: text)) != nil }

    public static func == (a: AnchoredPattern, b: AnchoredPattern) -> Bool { a.source == b.source }
}
