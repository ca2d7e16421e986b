import Foundation
import Yams

extension ScenarioDocument {
    /// The top-level sections holding `paths` (`policy` for `policy.annotations[...]`,
    /// `node_pools` for `node_pools[0].spare_nodes`), whole and in document order, as YAML ready
    /// to paste over the same sections of the scenario: what `headroom tune` prints for its answer.
    public func excerpt(covering paths: [String]) throws(ScenarioError) -> String {
        var keys: Set<String> = []
        for path in paths {
            guard case let .key(first)? = try Self.segments(of: path, file: file).first else { continue }
            keys.insert(first)
        }
        guard case let .mapping(mapping) = try YAMLText.compose(yaml, file: file) else {
            throw ScenarioError(file: file, path: "", message: "the scenario is not a mapping")
        }
        let pairs = mapping.filter { keys.contains($0.key.string ?? "") }.map { ($0.key, $0.value) }
        do {
            return try Yams.serialize(node: Yams.Node(pairs))
        } catch {
            throw ScenarioError(file: file, path: "", message: "cannot write the tuned sections: \(error)")
        }
    }
}
