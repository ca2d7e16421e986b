import ArgumentParser
import Foundation

/// Help that fits the terminal. swift-argument-parser wraps help text line by line, so a
/// paragraph written over several source lines comes out ragged, a wrapped example or table row
/// continues at column 0, and the `USAGE:` line (150 columns for `compare`) is never wrapped.
/// `Headroom.main` renders help unwrapped and this reflows it: prose paragraphs are joined, long
/// lines wrap under their own indentation (or under the description column of a `label   text`
/// row), and usage lines break between whole arguments (`[--seed <seed>]` is never split).
enum UsageWrap {
    /// The width help is wrapped to, found as the parser finds it: `$COLUMNS`, else the terminal's
    /// width, else 80.
    static var columns: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let value = Int(text), value > 0 { return value }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    /// Whether `text` is a help screen (not a completion script or a version, which pass untouched).
    static func isHelp(_ text: String) -> Bool { text.hasPrefix("OVERVIEW: ") || text.hasPrefix("USAGE: ") }

    /// A help screen rendered without wrapping, reflowed to `columns`.
    static func reflow(_ text: String, columns: Int) -> String {
        var lines: [String] = []
        var inUsageOrBelow = false
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("USAGE: ") { inUsageOrBelow = true }
            // A prose line continues the paragraph above it: both unindented, the one above not a heading.
            if !inUsageOrBelow, let previous = lines.last, !previous.isEmpty, !line.isEmpty, !previous.hasPrefix(" "),
               !line.hasPrefix(" "), !previous.hasSuffix(":") {
                lines[lines.count - 1] = previous + " " + line
            } else {
                lines.append(line)
            }
        }
        return lines.map { wrapLine($0, columns: columns) }.joined(separator: "\n")
    }

    /// Error output (`Error:`, `Help:`, `Usage:`): only the usage line is wrapped.
    static func wrapUsageLines(_ text: String, columns: Int) -> String {
        text.components(separatedBy: "\n").map { line in
            line.hasPrefix("Usage: ") && line.count > columns ? wrapUsage(String(line.dropFirst(7)), prefix: "Usage: ", columns: columns) : line
        }.joined(separator: "\n")
    }

    static func wrapLine(_ line: String, columns: Int) -> String {
        guard line.count > columns else { return line }
        if line.hasPrefix("USAGE: ") { return wrapUsage(String(line.dropFirst(7)), prefix: "USAGE: ", columns: columns) }
        let characters = Array(line)
        let leading = characters.prefix { $0 == " " }.count
        var indent = leading == 0 ? 0 : leading + 2
        // A `label   description` row continues under its description.
        if let gap = descriptionColumn(characters, after: leading), gap <= columns / 2 { indent = gap }
        var result: [String] = []
        var current = String(characters[..<leading]), start = leading
        for chunk in chunks(characters[leading...]) {
            let word = chunk.drop { $0 == " " }
            if current.count > start, current.count + chunk.count > columns {
                result.append(current)
                current = String(repeating: " ", count: indent) + word
                start = indent
            } else {
                current += chunk
            }
        }
        result.append(current)
        return result.joined(separator: "\n")
    }

    /// Words with the spaces before them (`"  a"`, `" b"`), so a row's alignment survives.
    static func chunks(_ characters: ArraySlice<Character>) -> [String] {
        var chunks: [String] = []
        var current = ""
        for character in characters {
            if character == " ", let last = current.last, last != " " {
                chunks.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { chunks.append(current) }
        return chunks
    }

    /// Where the text after the first run of two or more spaces starts, past the indentation.
    static func descriptionColumn(_ characters: [Character], after leading: Int) -> Int? {
        var index = leading
        while index < characters.count, characters[index] != " " || index + 1 >= characters.count || characters[index + 1] != " " {
            index += 1
        }
        guard index < characters.count else { return nil }
        while index < characters.count, characters[index] == " " { index += 1 }
        return index < characters.count ? index : nil
    }

    /// Breaks a synopsis between arguments; a continuation is indented past `prefix` and the
    /// command's name, so arguments line up under the first one.
    static func wrapUsage(_ synopsis: String, prefix: String, columns: Int) -> String {
        let parts = arguments(of: synopsis)
        guard let first = parts.first else { return prefix + synopsis }
        // The command's words (`headroom runs list`) set the indent.
        let commandWords = parts.prefix { !$0.hasPrefix("[") && !$0.hasPrefix("<") && !$0.hasPrefix("-") }
        var indent = prefix.count + commandWords.joined(separator: " ").count + 1
        if indent > columns / 2 { indent = prefix.count }  // a long command name would leave no room
        var lines: [String] = []
        var current = prefix + first
        for part in parts.dropFirst() {
            if current.count + 1 + part.count > columns, current.count > indent {
                lines.append(current)
                current = String(repeating: " ", count: indent) + part
            } else {
                current += " " + part
            }
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    /// Splits at spaces outside brackets: `[--seed <seed>]` and `<file>` are one argument each.
    static func arguments(of synopsis: String) -> [String] {
        var parts: [String] = []
        var current = "", depth = 0
        for character in synopsis {
            switch character {
            case "[", "<", "(": depth += 1
            case "]", ">", ")": depth = max(0, depth - 1)
            default: break
            }
            if character == " ", depth == 0 {
                if !current.isEmpty { parts.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { parts.append(current) }
        return parts
    }
}

extension Headroom {
    /// The parser's `main`, with help reflowed to the terminal (see `UsageWrap`), after asking for
    /// huge pages where the command simulates.
    static func main() {
        useHugePagesIfSimulating()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let columns = UsageWrap.columns
            let wide = fullMessage(for: error, columns: 100_000)
            // Help is reflowed; an error's usage line is wrapped; anything else (a completion
            // script, the version) passes untouched.
            let text = UsageWrap.isHelp(wide) ? UsageWrap.reflow(wide, columns: columns)
                : code.isSuccess ? wide : UsageWrap.wrapUsageLines(fullMessage(for: error, columns: columns), columns: columns)
            if !text.isEmpty {
                if code.isSuccess {
                    print(text)
                } else {
                    FileHandle.standardError.write(Data((text + "\n").utf8))
                }
            }
            Foundation.exit(code.rawValue)
        }
    }
}
