import Yams

extension ScenarioDocument {
    /// Places an error found in the overridden YAML, whose line numbers are those of the
    /// re-serialized text: at the override that wrote the key (no line: it is not in the file), or
    /// else at the key's line in the file as written.
    func located(_ error: ScenarioError) -> ScenarioError {
        if let override = overrides.last(where: { Self.path($0, touches: error.path) }) {
            return ScenarioError(file: file, path: error.path, message: "\(error.message) (set by the override of `\(override)`)")
        }
        var placed = error
        let atKey = error.message.hasPrefix("unknown key")  // reported at the key, not its value
        let mark = original.flatMap { Self.mark(of: error.path, in: $0, file: file, atKey: atKey) }
        placed.line = mark?.line
        placed.column = mark?.column
        return placed
    }

    /// Whether an override of `override` wrote the key at `path` or a key inside it, or a key
    /// holding it.
    static func path(_ override: String, touches path: String) -> Bool {
        func within(_ inner: String, _ outer: String) -> Bool {
            inner == outer || inner.hasPrefix(outer + ".") || inner.hasPrefix(outer + "[")
        }
        return within(path, override) || within(override, path)
    }

    /// Where the value at `path` (or its key) is in `yaml`, if it is there.
    static func mark(of path: String, in yaml: String, file: String, atKey: Bool = false) -> Yams.Mark? {
        guard var node = try? Yams.compose(yaml: yaml) else { return nil }
        guard !path.isEmpty else { return node.mark }
        guard let segments = try? segments(of: path, file: file) else { return nil }
        for (position, segment) in segments.enumerated() {
            switch (segment, node) {
            case let (.key(key), .mapping(mapping)):
                guard let pair = mapping.first(where: { $0.key.string == key }) else { return nil }
                if atKey && position == segments.count - 1 { return pair.key.mark }
                node = pair.value
            case let (.index(index), .sequence(sequence)):
                guard sequence.indices.contains(index) else { return nil }
                node = sequence[sequence.index(sequence.startIndex, offsetBy: index)]
            default:
                return nil
            }
        }
        return node.mark
    }
}
