import Foundation
import Headroom
import HeadroomEngine

/// Points a user measured themselves (a CSV, as a vLLM benchmark's iterations can be written) or
/// another profile's samples: used as they are, at the TP each row or profile states.
extension MeasuredPoints {
    /// The CSV's columns: `CalibratedProfile.Sample`'s fields (the batch's sequences, its prefill
    /// tokens and cached context tokens in all, the iteration's seconds), `tp` optional.
    public static let csvColumns = ["batch", "prefill_tokens", "context_tokens", "seconds"]

    static func csv(_ path: String, for profile: Subject, selection: Selection) throws(TableError) -> MeasuredPoints {
        try tablesOnly(path, "a CSV of measured iterations", selection)
        let text: String
        switch InputFile.text(path) {
        case let .success(contents): text = contents
        case let .failure(problem): throw TableError(file: path, message: problem.reason)
        }
        // A spreadsheet's byte-order mark is not part of the first column's name.
        let table = try MeasuredTable(text: text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text, file: path)
        var columns: [Int] = []
        for name in csvColumns { columns.append(try table.require(name)) }
        let tpColumn = table.has("tp") ? try table.require("tp") : nil
        let profileTP = profile.tensorParallel
        if tpColumn == nil && selection.tensorParallel.count > 1 {
            throw TableError(file: path, line: 1, column: "tp",
                             message: "no `tp` column, so every row is at one TP; name one --tp, or add the column")
        }
        var points: [Int: [CalibratedProfile.Sample]] = [:]
        for row in table.rows.indices {
            let seconds = try table.number(row, columns[3])
            guard seconds > 0 else {
                throw TableError(file: path, line: table.rows[row].line, column: "seconds",
                                 message: "`\(table.text(row, columns[3]))` is not a positive time in seconds")
            }
            let sample = CalibratedProfile.Sample(batch: try table.count(row, columns[0], minimum: 1),
                                                  prefillTokens: try table.count(row, columns[1]),
                                                  contextTokens: try table.count(row, columns[2]), seconds: seconds)
            let tp = try tpColumn.map { (column: Int) throws(TableError) in try table.count(row, column, minimum: 1) }
                ?? selection.tensorParallel.first ?? profileTP
            points[tp, default: []].append(sample)
        }
        let measured = points.keys.sorted()
        let used = try chosen(selection.tensorParallel, measured: measured, file: path)
        points = points.filter { used.contains($0.key) }
        let rows = points.values.reduce(0) { $0 + $1.count }
        var found = "a CSV of measured iterations, \(path): \(rows) of \(table.rows.count) rows at TP \(list(used))"
        found += tpColumn == nil ? " (no `tp` column: " + (selection.tensorParallel.isEmpty ? "taken as the profile's TP)" : "as --tp says)")
            : " (measured at TP \(list(measured)))"
        return MeasuredPoints(source: Source(kind: .csv, path: path, summary: found, files: [path], model: nil, gpu: nil, tensorParallel: used),
                              byTensorParallel: points, model: nil)
    }

    static func otherProfile(_ path: String, selection: Selection) throws(TableError) -> MeasuredPoints {
        try tablesOnly(path, "a profile", selection)
        let other: CalibratedProfile
        do {
            other = try CalibratedProfile.load(file: path)
        } catch {
            let prefix = path + ": "
            throw TableError(file: path, message: error.description.hasPrefix(prefix) ? String(error.description.dropFirst(prefix.count))
                             : error.description)
        }
        guard !other.samples.isEmpty else {
            throw TableError(file: path, message: "the profile `\(other.name)` has no samples: nothing measured to judge against")
        }
        let tp = ProfileFidelity.tensorParallel(of: other)
        _ = try chosen(selection.tensorParallel, measured: [tp], file: path)
        let found = "the \(other.samples.count) samples of profile `\(other.name)` in \(path) (\(other.backend) on \(other.device.name), "
            + "\(other.model.name), TP \(tp))"
        return MeasuredPoints(source: Source(kind: .profile, path: path, summary: found, files: [path], model: other.model.name,
                                             gpu: Subject(other).gpu?.rawValue, tensorParallel: [tp]),
                              byTensorParallel: [tp: other.samples], model: other.model)
    }

    /// The TPs asked for, each one the file holds; all it holds when none is asked for.
    static func chosen(_ asked: [Int], measured: [Int], file: String) throws(TableError) -> [Int] {
        guard !asked.isEmpty else { return measured }
        for tp in asked where !measured.contains(tp) {
            throw TableError(file: file, column: "tp", message: "no points at TP \(tp) (measured: \(list(measured)))")
        }
        return Array(Set(asked)).sorted()
    }

    /// `--model`, `--gpu` and `--network` pick tables; given with a file used as it is, they are refused, not ignored.
    static func tablesOnly(_ path: String, _ what: String, _ selection: Selection) throws(TableError) {
        let given = [selection.model.map { _ in "--model" }, selection.gpu.map { _ in "--gpu" }, selection.network.map { _ in "--network" }]
            .compactMap { $0 }
        guard given.isEmpty else {
            throw TableError(file: path, message: "this is \(what), used as it is: \(given.joined(separator: ", ")) pick measured tables "
                             + "and do not apply (drop \(given.count == 1 ? "it" : "them"))")
        }
    }
}
