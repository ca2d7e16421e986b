import Foundation
import HeadroomEngine

/// Reads a scenario or sweep file, turning each way it can fail into a message a user can act on
/// (never Foundation's error text): no such file, a directory (with the YAML files in it), no
/// permission, not UTF-8.
enum ScenarioFile {
    /// At most this many YAML files of a directory are listed by name.
    static let listedFiles = 8

    static func read(_ path: String) throws(ScenarioError) -> String {
        func fail(_ message: String) -> ScenarioError { ScenarioError(file: path, path: "", message: message) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw fail(directoryMessage(path))
        }
        // InputFile refuses FIFOs and devices before opening them (an open would block).
        switch InputFile.text(path) {
        case .success(let text): return text
        case .failure(let error) where error.reason == InputFile.notUTF8: throw fail("not UTF-8 text; a scenario is a YAML file")
        case .failure(let error): throw fail(error.reason)
        }
    }

    /// "is a directory", naming the YAML files inside when there are few.
    static func directoryMessage(_ path: String) -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        let base = "is a directory, not a YAML file"
        let folder = path.hasSuffix("/") ? path : path + "/"
        switch names.count {
        case 0: return "\(base) (it holds no .yaml files)"
        case 1...listedFiles: return "\(base); it holds \(names.map { folder + $0 }.joined(separator: ", "))"
        default: return "\(base); it holds \(names.count) YAML files, e.g. \(names.prefix(3).map { folder + $0 }.joined(separator: ", "))"
        }
    }
}
