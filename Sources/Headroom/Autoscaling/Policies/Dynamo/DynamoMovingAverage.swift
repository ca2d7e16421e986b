/// `_MovingAverage`: the mean of the last `window` values, leading zeros skipped.
public struct DynamoMovingAverage: Sendable, Equatable {
    public let window: Int
    private var values: [Double] = []
    private var seenNonZero = false

    public init(window: Int) { self.window = window }

    public mutating func add(_ value: Double) {
        if value == 0 && !seenNonZero { return }
        if value != 0 { seenNonZero = true }
        values.append(value)
        if values.count > window { values.removeFirst() }
    }

    /// 0 when empty.
    public var value: Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
}
