import Foundation

/// Colour on a terminal only: never when the stream is a pipe or file, never with `--json`, and
/// never when NO_COLOR is set or TERM is dumb (https://no-color.org conventions).
enum Terminal {
    enum Style: String {
        case red = "31", green = "32", yellow = "33", bold = "1", dim = "2"
    }

    /// Whether file descriptor `fd` (1 stdout, 2 stderr) gets colour.
    static func colours(_ fd: Int32) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        return isatty(fd) != 0 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    static func styled(_ text: String, _ style: Style, fd: Int32 = 1) -> String {
        colours(fd) ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }
}

extension Terminal {
    /// Tables fit this many columns unless `$COLUMNS` says otherwise: a narrow window, a split pane
    /// or a pasted log all read them without wrapping. (A pipe gets the same, so a script's output
    /// does not depend on who ran it.)
    static let defaultWidth = 100

    /// `$COLUMNS` when it is a positive number, else `defaultWidth`.
    static func width(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        environment["COLUMNS"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.flatMap { $0 > 0 ? $0 : nil } ?? defaultWidth
    }
}

extension Terminal {
    /// Each line longer than `width` broken into pieces that fit: at the last "; " that fits, else
    /// the last column gap ("   "), ", " or space; pieces after the first are indented by `indent`
    /// spaces (under a summary's values, past its labels).
    static func fit(_ lines: [String], width: Int, indent: Int = 11) -> [String] {
        lines.flatMap { line -> [String] in
            var pieces: [String] = []
            var rest = Substring(line)
            var prefix = ""
            while prefix.count + rest.count > width {
                let room = width - prefix.count
                let head = rest.prefix(room)
                guard let cut = ["; ", "   ", ", ", " "].lazy.compactMap({ head.range(of: $0, options: .backwards) })
                    .first(where: { head.distance(from: head.startIndex, to: $0.lowerBound) > indent })
                else { break }
                pieces.append(prefix + rest[..<cut.lowerBound] + (rest[cut].hasPrefix(" ") ? "" : String(rest[cut].first!)))
                rest = rest[cut.upperBound...]
                prefix = String(repeating: " ", count: indent)
            }
            return pieces + [prefix + rest]
        }
    }
}
