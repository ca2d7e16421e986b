/// A recursive-descent parser for the PromQL subset Headroom evaluates (no well-kept Swift PromQL
/// parser exists). Grammar and precedence follow prometheus/prometheus `promql/parser/generated_parser.y`;
/// anything outside the subset is refused naming the construct and its column.
public enum PromQLParser {
    public static func parse(_ query: String) throws(PromQLError) -> PromQLExpression {
        var parser = State(tokens: try PromQLLexer.tokens(query))
        let expression = try parser.expression(minimum: 0)
        guard parser.peek.kind == .end else { throw parser.unexpected(parser.peek, "an operator or the end of the query") }
        if expression.kind == .matrix {
            throw PromQLError("a range vector cannot be a query's result; wrap it in a function such as rate()", column: 1)
        }
        return expression
    }

    struct State {
        var tokens: [PromQLToken]
        var position = 0

        var peek: PromQLToken { tokens[position] }
        mutating func next() -> PromQLToken {
            defer { position = min(position + 1, tokens.count - 1) }
            return tokens[position]
        }
        func isSymbol(_ text: String) -> Bool { peek.kind == .symbol && peek.text == text }
        func isKeyword(_ text: String) -> Bool { peek.kind == .identifier && peek.text.lowercased() == text }

        mutating func expect(_ text: String) throws(PromQLError) {
            guard isSymbol(text) else { throw unexpected(peek, "\"\(text)\"") }
            _ = next()
        }

        func unexpected(_ token: PromQLToken, _ wanted: String) -> PromQLError {
            PromQLError("unexpected \(token.kind == .end ? "end of query" : "\"\(token.text)\""); expected \(wanted)", column: token.column)
        }

        /// Binary operators by precedence climbing; `^` is right-associative.
        mutating func expression(minimum: Int) throws(PromQLError) -> PromQLExpression {
            var left = try unary()
            while true {
                let token = peek
                if token.kind == .identifier, ["and", "or", "unless", "atan2"].contains(token.text.lowercased()) {
                    throw PromQLError("the \(token.text) operator is not supported; supported: \(PromQLError.supported)", column: token.column)
                }
                guard token.kind == .symbol, let op = PromQLBinaryOperator(rawValue: token.text), op.precedence >= minimum else {
                    return left
                }
                _ = next()
                var returnsBool = false
                if isKeyword("bool") {
                    guard op.isComparison else { throw PromQLError("bool modifier only applies to comparison operators", column: peek.column) }
                    returnsBool = true
                    _ = next()
                }
                var matching: PromQLMatching?
                if isKeyword("on") || isKeyword("ignoring") {
                    let on = isKeyword("on")
                    _ = next()
                    matching = PromQLMatching(on: on, labels: try labelList())
                    if isKeyword("group_left") || isKeyword("group_right") {
                        throw PromQLError("\(peek.text) (many-to-one matching) is not supported; only one-to-one matching", column: peek.column)
                    }
                }
                let right = try expression(minimum: op == .power ? op.precedence : op.precedence + 1)
                if left.kind == .matrix || right.kind == .matrix {
                    throw PromQLError("\(op.rawValue) needs scalars or instant vectors, not a range vector", column: token.column)
                }
                if op.isComparison && !returnsBool && left.kind == .scalar && right.kind == .scalar {
                    throw PromQLError("comparisons between scalars must use the bool modifier", column: token.column)
                }
                if matching != nil && (left.kind != .vector || right.kind != .vector) {
                    throw PromQLError("on/ignoring applies between two vectors only", column: token.column)
                }
                left = .binary(op, left, right, returnsBool: returnsBool, matching: matching)
            }
        }

        mutating func unary() throws(PromQLError) -> PromQLExpression {
            if isSymbol("-") || isSymbol("+") {
                let negative = next().text == "-"
                let operand = try expression(minimum: PromQLBinaryOperator.power.precedence)
                if case let .number(value) = operand { return .number(negative ? -value : value) }
                return negative ? .negate(operand) : operand
            }
            return try postfix(try primary())
        }

        /// `[range]` after a selector; subqueries, `offset` and `@` are refused.
        mutating func postfix(_ expression: PromQLExpression) throws(PromQLError) -> PromQLExpression {
            var result = expression
            if isSymbol("[") {
                let open = next()
                guard case let .selector(selector) = result else {
                    throw PromQLError("a range [..] applies to a metric selector only (subqueries are not supported)", column: open.column)
                }
                let token = next()
                let milliseconds: Double
                switch token.kind {
                case .duration: milliseconds = token.number
                case .number: milliseconds = token.number * 1000
                default: throw unexpected(token, "a duration such as 1m")
                }
                if isSymbol(":") || (peek.kind == .identifier && peek.text.hasPrefix(":")) {
                    throw PromQLError("subqueries are not supported", column: peek.column)
                }
                try expect("]")
                guard milliseconds > 0 else { throw PromQLError("a range must be positive", column: token.column) }
                result = .range(selector, milliseconds: Int64(milliseconds))
            }
            if isKeyword("offset") || isSymbol("@") {
                throw PromQLError("the \(peek.text) modifier is not supported", column: peek.column)
            }
            return result
        }

        mutating func primary() throws(PromQLError) -> PromQLExpression {
            let token = peek
            switch token.kind {
            case .number:
                _ = next()
                return .number(token.number)
            case .duration:
                throw PromQLError("a duration (\(token.text)) is only allowed inside [..]", column: token.column)
            case .string:
                throw PromQLError("string literals are not supported outside label matchers", column: token.column)
            case .end:
                throw unexpected(token, "an expression")
            case .symbol:
                if token.text == "(" {
                    _ = next()
                    let inner = try expression(minimum: 0)
                    try expect(")")
                    return inner
                }
                if token.text == "{" { return .selector(try selector(name: nil)) }
                throw unexpected(token, "an expression")
            case .identifier:
                _ = next()
                let lower = token.text.lowercased()
                if let aggregation = PromQLAggregation(rawValue: lower), isSymbol("(") || isKeyword("by") || isKeyword("without") {
                    return try aggregate(aggregation)
                }
                if ["topk", "bottomk", "quantile", "stddev", "stdvar", "count_values", "group", "limitk", "limit_ratio"].contains(lower),
                   isSymbol("(") || isKeyword("by") || isKeyword("without") {
                    throw PromQLError("the \(token.text) aggregation is not supported; supported: sum, avg, max, min, count", column: token.column)
                }
                if isSymbol("(") {
                    guard let function = PromQLFunction(rawValue: token.text) else {
                        throw PromQLError("the function \(token.text)() is not supported; supported: \(PromQLError.supported)", column: token.column)
                    }
                    _ = next()
                    var arguments: [PromQLExpression] = []
                    while !isSymbol(")") {
                        if !arguments.isEmpty { try expect(",") }
                        let column = peek.column
                        let argument = try expression(minimum: 0)
                        let index = arguments.count
                        if index < function.arguments.count, argument.kind != function.arguments[index] {
                            throw PromQLError("\(function.rawValue)() expects a \(function.arguments[index].rawValue) as argument \(index + 1), "
                                + "got a \(argument.kind.rawValue)", column: column)
                        }
                        arguments.append(argument)
                    }
                    try expect(")")
                    guard arguments.count == function.arguments.count else {
                        throw PromQLError("\(function.rawValue)() takes \(function.arguments.count) argument(s), got \(arguments.count)", column: token.column)
                    }
                    return .call(function, arguments)
                }
                if ["by", "without", "on", "ignoring", "bool", "offset", "group_left", "group_right"].contains(lower) {
                    throw unexpected(token, "an expression")
                }
                return .selector(try selector(name: token.text))
            }
        }

        mutating func selector(name: String?) throws(PromQLError) -> PromQLSelector {
            var matchers: [PromQLMatcher] = []
            let start = peek.column
            if isSymbol("{") {
                _ = next()
                while !isSymbol("}") {
                    let label = next()
                    guard label.kind == .identifier || label.kind == .string else { throw unexpected(label, "a label name") }
                    let op = next()
                    guard op.kind == .symbol, let kind = PromQLMatcher.Kind(rawValue: op.text) else {
                        throw unexpected(op, "a matcher: =, !=, =~ or !~")
                    }
                    let value = next()
                    guard value.kind == .string else { throw unexpected(value, "a quoted label value") }
                    var pattern: AnchoredPattern?
                    if kind == .regex || kind == .notRegex {
                        do { pattern = try AnchoredPattern(value.text) } catch {
                            throw PromQLError("invalid regular expression \"\(value.text)\"", column: value.column)
                        }
                    }
                    matchers.append(PromQLMatcher(label: label.text, kind: kind, value: value.text, pattern: pattern))
                    guard isSymbol(",") else { break }
                    _ = next()
                }
                try expect("}")
            }
            var selector = PromQLSelector(name: name, matchers: matchers)
            if let index = matchers.firstIndex(where: { $0.label == "__name__" && $0.kind == .equal }), name == nil {
                selector.name = matchers[index].value
                selector.matchers.remove(at: index)
            }
            guard selector.name != nil || selector.matchers.contains(where: { !$0.matches(Labels()) }) else {
                throw PromQLError("a selector needs a metric name or a matcher that does not match the empty string", column: start)
            }
            return selector
        }

        mutating func aggregate(_ aggregation: PromQLAggregation) throws(PromQLError) -> PromQLExpression {
            var grouping = PromQLGrouping.all
            if isKeyword("by") || isKeyword("without") {
                grouping.without = next().text.lowercased() == "without"
                grouping.labels = try labelList()
            }
            try expect("(")
            let column = peek.column
            let inner = try expression(minimum: 0)
            guard inner.kind == .vector else {
                throw PromQLError("\(aggregation.rawValue) expects an instant vector, got a \(inner.kind.rawValue)", column: column)
            }
            if isSymbol(",") { throw PromQLError("\(aggregation.rawValue) takes one argument", column: peek.column) }
            try expect(")")
            if isKeyword("by") || isKeyword("without") {
                grouping.without = next().text.lowercased() == "without"
                grouping.labels = try labelList()
            }
            return .aggregate(aggregation, grouping, inner)
        }

        mutating func labelList() throws(PromQLError) -> [String] {
            try expect("(")
            var labels: [String] = []
            while !isSymbol(")") {
                let label = next()
                guard label.kind == .identifier else { throw unexpected(label, "a label name") }
                labels.append(label.text)
                guard isSymbol(",") else { break }
                _ = next()
            }
            try expect(")")
            return labels
        }
    }
}
