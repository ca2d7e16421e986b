import ArgumentParser
import Foundation
import HeadroomStore

/// `--db`, shared by every command that reads or writes the run store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "The run store (SQLite).")
    var path = "headroom.sqlite"

    func open() throws -> RunStore {
        do {
            return try RunStore(path: path)
        } catch {
            Headroom.fail("\(error)")
        }
    }
}

extension Headroom {
    /// Prints `error: message` on stderr and exits with code 1.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(Terminal.styled("error:", .red, fd: 2)) \(message)\n".utf8))
        Foundation.exit(1)
    }
}
