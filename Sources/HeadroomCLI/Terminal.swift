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
