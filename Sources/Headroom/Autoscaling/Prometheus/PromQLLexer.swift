/// Splits a PromQL query into tokens (prometheus/prometheus `promql/parser/lex.go`, the subset's part).
struct PromQLToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier, number, duration, string
        /// Punctuation and operators: ( ) { } [ ] , = != =~ !~ + - * / % ^ == > < >= <= : @
        case symbol
        case end
    }
    var kind: Kind
    var text: String
    /// 1-based column.
    var column: Int
    /// The value of a number, or a duration in milliseconds.
    var number: Double = 0
}

enum PromQLLexer {
    static func tokens(_ query: String) throws(PromQLError) -> [PromQLToken] {
        let chars = Array(query.unicodeScalars)
        var out: [PromQLToken] = []
        var i = 0
        func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == ":" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
        func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }
        func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
        while i < chars.count {
            let c = chars[i], column = i + 1
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            if c == "#" { while i < chars.count && chars[i] != "\n" { i += 1 }; continue }
            if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
                var j = i
                while j < chars.count && (isDigit(chars[j]) || chars[j] == ".") { j += 1 }
                if j < chars.count && (chars[j] == "e" || chars[j] == "E"), j + 1 < chars.count,
                   isDigit(chars[j + 1]) || ((chars[j + 1] == "+" || chars[j + 1] == "-") && j + 2 < chars.count && isDigit(chars[j + 2])) {
                    j += 2
                    while j < chars.count && isDigit(chars[j]) { j += 1 }
                }
                if j < chars.count && "smhdwy".unicodeScalars.contains(chars[j]) {
                    let (ms, end) = try duration(chars, from: i, column: column)
                    out.append(PromQLToken(kind: .duration, text: String(String.UnicodeScalarView(chars[i..<end])), column: column, number: ms))
                    i = end
                    continue
                }
                let text = String(String.UnicodeScalarView(chars[i..<j]))
                guard let value = Double(text) else { throw PromQLError("bad number \"\(text)\"", column: column) }
                out.append(PromQLToken(kind: .number, text: text, column: column, number: value))
                i = j
                continue
            }
            if isIdentStart(c) {
                var j = i
                while j < chars.count && isIdent(chars[j]) { j += 1 }
                let text = String(String.UnicodeScalarView(chars[i..<j]))
                if text.lowercased() == "inf" || text.lowercased() == "nan" {
                    out.append(PromQLToken(kind: .number, text: text, column: column, number: text.lowercased() == "inf" ? .infinity : .nan))
                } else {
                    out.append(PromQLToken(kind: .identifier, text: text, column: column))
                }
                i = j
                continue
            }
            if c == "\"" || c == "'" || c == "`" {
                var j = i + 1, value = ""
                while j < chars.count && chars[j] != c {
                    if chars[j] == "\\" && c != "`" && j + 1 < chars.count {
                        j += 1
                        switch chars[j] {
                        case "n": value += "\n"
                        case "t": value += "\t"
                        default: value.unicodeScalars.append(chars[j])
                        }
                    } else {
                        value.unicodeScalars.append(chars[j])
                    }
                    j += 1
                }
                guard j < chars.count else { throw PromQLError("unterminated string", column: column) }
                out.append(PromQLToken(kind: .string, text: value, column: column))
                i = j + 1
                continue
            }
            let two = i + 1 < chars.count ? String(String.UnicodeScalarView([c, chars[i + 1]])) : ""
            if ["!=", "=~", "!~", "==", ">=", "<="].contains(two) {
                out.append(PromQLToken(kind: .symbol, text: two, column: column))
                i += 2
                continue
            }
            if "(){}[],=+-*/%^><:@".unicodeScalars.contains(c) {
                out.append(PromQLToken(kind: .symbol, text: String(c), column: column))
                i += 1
                continue
            }
            throw PromQLError("unexpected character \"\(c)\"", column: column)
        }
        out.append(PromQLToken(kind: .end, text: "end of query", column: chars.count + 1))
        return out
    }

    /// A Prometheus duration (`1h30m`, `5m`, `250ms`), in milliseconds; ends at the first character
    /// that is not part of it.
    static func duration(_ chars: [Unicode.Scalar], from start: Int, column: Int) throws(PromQLError) -> (Double, Int) {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
                                         ("w", 604_800_000), ("y", 31_536_000_000)]
        var i = start, total = 0.0
        while i < chars.count && ("0"..."9").contains(chars[i]) {
            var j = i
            while j < chars.count && ("0"..."9").contains(chars[j]) { j += 1 }
            let value = Double(String(String.UnicodeScalarView(chars[i..<j])))!
            guard let unit = units.first(where: { unit in
                let u = Array(unit.0.unicodeScalars)
                return j + u.count <= chars.count && Array(chars[j..<j + u.count]) == u
                    && !(unit.0 == "m" && j + 1 < chars.count && chars[j + 1] == "s")
            }) else { throw PromQLError("bad duration: a number needs a unit (ms, s, m, h, d, w, y)", column: column) }
            total += value * unit.1
            i = j + unit.0.unicodeScalars.count
        }
        return (total, i)
    }
}
