import Foundation
import Headroom

/// Points composed from measured operator tables: the calibration's own composition
/// (`MeasuredCalibration.composition`) on its own grid (`MeasuredCalibration.samples`), so a
/// profile made from the same tables is judged on exactly the points it was fitted to.
extension MeasuredPoints {
    static func vidur(_ path: String, for profile: Subject, selection: Selection) throws(TableError) -> MeasuredPoints {
        let compute = (path as NSString).appendingPathComponent("compute")
        let gpus = ((try? FileManager.default.contentsOfDirectory(atPath: compute)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let gpu = try tableGPU(profile, selection: selection, file: compute)
        guard gpus.contains(gpu.rawValue) else {
            throw TableError(file: compute, message: "no tables for \(gpu.rawValue) (measured: \(gpus.joined(separator: ", "))); "
                             + "pick one with --gpu")
        }
        let model = try profile.tableModel(selection, file: compute)
        let table: (file: String, name: String)
        do {
            table = try VidurLayout.computeTable(input: path, model: model, gpu: gpu.rawValue)
        } catch {
            throw TableError(file: error.file, message: error.message + "; pick one with --model")
        }
        let measuredTPs = (try VidurComputeTable(file: table.file, name: table.name)).tensorParallel
        var found = "Vidur tables in \(path): \(relative(table.file, to: path)) (\(table.name) on \(gpu.rawValue.uppercased()), "
            + "measured at TP \(list(measuredTPs)))"
        return try composed(.vidur, path, found: &found, profile: profile, selection: selection, model: table.name, gpu: gpu)
    }

    static func llmServingSim(_ path: String, for profile: Subject, selection: Selection) throws(TableError) -> MeasuredPoints {
        let gpu = selection.gpu ?? profile.gpu ?? .h100
        guard gpu == .h100 else {
            throw TableError(file: path, message: "LLMServingSim's tables are H100 only, and the GPU judged is \(gpu.rawValue) "
                             + "(the profile's, or --gpu): pass --gpu h100 to judge it against them anyway")
        }
        let model = try profile.tableModel(selection, file: path)
        let root = FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("H100"))
            ? (path as NSString).appendingPathComponent("H100") : path
        let tables = LLMServingSimLayout.layerTables(under: root).filter { table in
            let parts = table.split(separator: "/")
            return parts[1].lowercased() == model.lowercased() || "\(parts[0])/\(parts[1])".lowercased() == model.lowercased()
        }
        guard !tables.isEmpty else {
            let models = Set(LLMServingSimLayout.layerTables(under: root).map { String($0.split(separator: "/")[1]) }).sorted()
            throw TableError(file: root, message: "no table for model `\(model)` (measured: \(models.joined(separator: ", "))); "
                             + "pick one with --model")
        }
        let measuredTPs = tables.compactMap { Int($0.split(separator: "/")[2].dropFirst(2)) }.sorted()
        var found = "LLMServingSim tables in \(path): \(tables.map { relative("\(root)/\($0)", to: path) }.joined(separator: ", ")) "
            + "(measured at TP \(list(measuredTPs)))"
        return try composed(.llmservingsim, path, found: &found, profile: profile, selection: selection, model: model, gpu: gpu)
    }

    /// The composed grid at each TP asked for (the profile's by default), and the summary.
    static func composed(_ project: MeasuredCalibration.Project, _ path: String, found: inout String, profile: Subject,
                         selection: Selection, model: String, gpu: MeasuredGPU) throws(TableError) -> MeasuredPoints {
        let tps = selection.tensorParallel.isEmpty ? [profile.tensorParallel] : Array(Set(selection.tensorParallel)).sorted()
        if let network = selection.network, tps.allSatisfy({ $0 == 1 }) {
            throw TableError(file: network, message: "an all-reduce table is read above TP 1 only; at TP 1 there is no communication "
                             + "(drop --network, or name a --tp above 1)")
        }
        var points: [Int: [CalibratedProfile.Sample]] = [:], files: [String] = [], networks: [String] = []
        var shape: MeasuredModel?, attention = ""
        for tp in tps {
            let composition = try MeasuredCalibration.composition(project: project, input: path, model: model, gpu: gpu, tp: tp,
                                                                  network: selection.network)
            points[tp] = try MeasuredCalibration.samples(composition)
            shape = composition.model
            attention = composition.attention.provenance
            if !files.contains(composition.operators.file) { files.append(composition.operators.file) }
            if let network = composition.network, !networks.contains(network.file) { networks.append(network.file) }
        }
        files += networks
        found += "; used TP \(list(tps)); iteration times composed on the calibration grid (prefills from 32 tokens as far as "
            + "the tables reach, at most \(ProfileFidelity.BandError.grouped(MeasuredCalibration.longestPrefill)), chunks after cached "
            + "context, decode batches 1–512 as the KV cache holds them)"
        if !networks.isEmpty { found += "; all-reduces from \(networks.map { relative($0, to: path) }.joined(separator: ", "))" }
        found += "; \(attention)"
        if let shape, let own = profile.model,
           shape.name.lowercased() != own.name.lowercased() || shape.layers != own.layers || shape.hidden != own.hidden {
            found += "; note: the tables' model \(shape.name) (\(shape.layers) layers, hidden \(shape.hidden)) is not the profile's "
                + "\(own.name) (\(own.layers) layers, hidden \(own.hidden))"
                + (shape.layers == own.layers ? "" : ": its terms are scaled to \(shape.layers) layers, as a scenario serving it would be")
        }
        return MeasuredPoints(source: Source(kind: project == .vidur ? .vidur : .llmservingsim, path: path, summary: found, files: files,
                                             model: shape?.name ?? model, gpu: gpu.rawValue, tensorParallel: tps),
                              byTensorParallel: points, model: shape?.profileShape)
    }

    /// `--gpu`, else the profile's GPU; refused when neither says.
    static func tableGPU(_ profile: Subject, selection: Selection, file: String) throws(TableError) -> MeasuredGPU {
        guard let gpu = selection.gpu ?? profile.gpu else {
            throw TableError(file: file, message: "the profile's device `\(profile.device)` names no GPU the tables cover; pick one "
                             + "with --gpu (\(MeasuredGPU.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return gpu
    }

    /// `file` relative to `root` when under it.
    static func relative(_ file: String, to root: String) -> String {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return file.hasPrefix(prefix) ? String(file.dropFirst(prefix.count)) : file
    }
}
