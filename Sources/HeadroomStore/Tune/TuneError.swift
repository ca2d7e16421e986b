import Foundation

/// Bad tune input (a `--param`, `--constraint` or `--objective` string, a space too large to
/// enumerate): one sentence naming the argument and the forms it accepts.
public struct TuneError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
