import ArgumentParser
import Foundation
import HeadroomStore

/// `--db`, shared by every command that reads or writes the run store.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("db"), help: "The run store (SQLite).")
    var path = "headroom.sqlite"

    /// Opens the store, read-only unless the command stores runs: a read command works on a file
    /// it may not write and never creates one. Failures exit 1 with a sentence naming the path.
    func open(_ access: RunStore.Access = .readOnly) throws -> RunStore {
        do {
            return try RunStore(path: path, access: access)
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

    /// Runs `body`, turning any error (a `StoreError` names the store and what to do) into
    /// `error: message` and exit code 1, as `fail` does.
    static func failing<T>(_ body: () throws -> T) -> T {
        do { return try body() } catch let error as ExitCode { Foundation.exit(error.rawValue) } catch { fail("\(error)") }
    }
}
