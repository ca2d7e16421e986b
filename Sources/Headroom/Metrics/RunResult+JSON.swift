import Foundation

extension RunResult {
    /// The result as JSON with sorted keys and snake_case names: byte-identical for the same
    /// scenario and seed.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self)
    }
}
