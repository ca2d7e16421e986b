import Yams

/// Composes YAML text into a node tree, turning Yams' errors into `ScenarioError`s that carry the
/// line and column (Yams prints the place inside its message, and for a duplicate key prints the
/// whole document and only one of the two places).
enum YAMLText {
    static func compose(_ text: String, file: String) throws(ScenarioError) -> Yams.Node {
        do {
            guard let node = try Yams.compose(yaml: text) else { throw ScenarioError(file: file, path: "", message: "the file is empty") }
            return node
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw Self.error(error, text: text, file: file)
        } catch {
            throw ScenarioError(file: file, path: "", message: "not valid YAML")
        }
    }

    static func error(_ error: YamlError, text: String, file: String) -> ScenarioError {
        switch error {
        case let .duplicatedKeysInMapping(duplicates, context):
            let key = duplicates.sorted().first ?? "?"
            let first = context.mark
            var message = "duplicate key `\(key)`"
            guard first.line >= 1 else { return ScenarioError(file: file, path: "", message: message) }
            guard let second = duplicate(of: key, after: first, in: text) else {
                return ScenarioError(file: file, line: first.line, column: first.column, path: "", message: message + " in this mapping")
            }
            message += "; it is first written at \(file):\(first.line):\(first.column)"
            return ScenarioError(file: file, line: second.line, column: second.column, path: "", message: message)
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = (context.map { "\($0.text) " } ?? "") + problem
            return ScenarioError(file: file, line: mark.line, column: mark.column, path: "", message: "not valid YAML: \(detail)")
        default:
            return ScenarioError(file: file, path: "", message: "not valid YAML: \(error)")
        }
    }

    /// The second place `key` is written in the mapping whose first key is at `first` (line and
    /// column from 1): in a block mapping, a later line at the same indentation before the mapping
    /// ends; in a flow mapping (`{a: 1, a: 2}`), later on the same line.
    static func duplicate(of key: String, after first: Mark, in text: String) -> (line: Int, column: Int)? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        guard first.line >= 1, first.line <= lines.count else { return nil }
        let keyScalars = Array(key.unicodeScalars)
        let indent = first.column - 1
        func isKey(_ line: [Unicode.Scalar], at start: Int) -> Bool {
            var index = start
            for quote in ["", "\"", "'"] {
                index = start
                let q = Array(quote.unicodeScalars)
                guard line.count >= index + q.count * 2 + keyScalars.count else { continue }
                guard Array(line[index..<index + q.count]) == q else { continue }
                index += q.count
                guard Array(line[index..<index + keyScalars.count]) == keyScalars else { continue }
                index += keyScalars.count
                guard Array(line[index..<index + q.count]) == q else { continue }
                index += q.count
                while index < line.count, line[index] == " " { index += 1 }
                if index < line.count, line[index] == ":" { return true }
            }
            return false
        }
        let firstLine = lines[first.line - 1]
        // A flow mapping: look along the same line, after a `{` or `,`.
        if indent > 0, indent <= firstLine.count, firstLine[..<indent].contains("{") {
            var index = indent + keyScalars.count
            while index < firstLine.count {
                if firstLine[index] == "," || firstLine[index] == "{" {
                    var start = index + 1
                    while start < firstLine.count, firstLine[start] == " " { start += 1 }
                    if isKey(firstLine, at: start) { return (first.line, start + 1) }
                }
                index += 1
            }
            return nil
        }
        for number in first.line..<lines.count {
            let line = lines[number]
            let leading = line.prefix { $0 == " " }.count
            guard leading < line.count, line[leading] != "#" else { continue }  // blank or comment
            if leading < indent { return nil }  // the mapping ended
            if leading == indent, isKey(line, at: leading) { return (number + 1, leading + 1) }
        }
        return nil
    }
}
