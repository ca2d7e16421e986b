import Foundation
import Headroom
import HeadroomEngine

/// Iteration times measured apart from a profile, to judge it by (`profile fidelity --against`):
/// composed from measured operator tables (Vidur's or LLMServingSim's layout), read from a CSV of
/// the user's own measurements, or taken from another profile's samples.
///
/// The reader detects which of the four it was given and says what it found and used, so a report
/// never rests on a guess the user cannot see.
public struct MeasuredPoints: Sendable {
    /// What `--against` named.
    public enum Kind: String, Codable, Sendable, CaseIterable { case vidur, llmservingsim, csv, profile }

    /// What was found and used, for the report and its JSON.
    public struct Source: Codable, Sendable, Equatable {
        public var kind: Kind
        /// The path as given.
        public var path: String
        /// In words: the files read, the model, GPU and TPs, how the times were made.
        public var summary: String
        /// The files the points come from.
        public var files: [String]
        /// The measured model and GPU (the tables' and the other profile's; nil for a CSV).
        public var model: String?
        public var gpu: String?
        /// The TPs judged, ascending.
        public var tensorParallel: [Int]
    }

    /// Which tables to read (`--model`, `--gpu`, `--tp`, `--network`); by default the profile's own
    /// model, GPU and TP. Only tables take a model, GPU or network; a CSV or profile only `--tp`.
    public struct Selection: Sendable, Equatable {
        public var model: String?
        public var gpu: MeasuredGPU?
        /// Empty: the profile's TP (tables), every TP the file holds (CSV).
        public var tensorParallel: [Int]
        /// The all-reduce table (see `MeasuredCalibration.composition`).
        public var network: String?
        public init(model: String? = nil, gpu: MeasuredGPU? = nil, tensorParallel: [Int] = [], network: String? = nil) {
            self.model = model
            self.gpu = gpu
            self.tensorParallel = tensorParallel
            self.network = network
        }
    }

    public var source: Source
    /// The points at each TP (keys: `source.tensorParallel`).
    public var byTensorParallel: [Int: [CalibratedProfile.Sample]]
    /// The measured model's shape where the tables carry it, so a deeper or shallower model than
    /// the profile's is judged as the simulator would serve it (scaled by the layer count).
    public var model: CalibratedProfile.ModelShape?

    public var count: Int { byTensorParallel.values.reduce(0) { $0 + $1.count } }

    /// What a path handed to `--against` can be, in words, for errors.
    static let expected = "a folder of Vidur tables (compute/<gpu>/<org>/<model>/mlp.csv) or of LLMServingSim tables "
        + "(H100/<org>/<model>/tp<N>/layers.csv), a CSV of measured iterations (batch,prefill_tokens,context_tokens,seconds[,tp]) "
        + "or a profile JSON"

    /// Reads the measurements at `path` for judging `profile`. Refused with the file (and line and
    /// column where there is one): a missing path, an empty folder, an unknown layout, a model,
    /// GPU or TP the tables lack, a bad CSV row, an option that does not apply to what was found.
    public static func load(_ path: String, for profile: CalibratedProfile,
                            selection: Selection = Selection()) throws(TableError) -> MeasuredPoints {
        try load(path, for: Subject(profile), selection: selection)
    }

    /// As `load(_:for:selection:)`, for a profile known by its `Subject` (a built-in estimate).
    public static func load(_ path: String, for profile: Subject,
                            selection: Selection = Selection()) throws(TableError) -> MeasuredPoints {
        if let bad = selection.tensorParallel.first(where: { $0 < 1 }) {
            throw TableError(file: path, message: "TP \(bad): a tensor parallelism is at least 1")
        }
        switch try detect(path) {
        case .vidur: return try vidur(path, for: profile, selection: selection)
        case .llmservingsim: return try llmServingSim(path, for: profile, selection: selection)
        case .csv: return try csv(path, for: profile, selection: selection)
        case .profile: return try otherProfile(path, selection: selection)
        }
    }

    /// The layout of `path`: a folder with `compute/` is Vidur's; one with `H100/` or
    /// `<org>/<model>/tp<N>/layers.csv` LLMServingSim's; a file ending `.json` or starting with `{`
    /// a profile; any other readable file a CSV.
    public static func detect(_ path: String) throws(TableError) -> Kind {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TableError(file: path, message: "no such file or folder; expected \(expected)")
        }
        guard isFolder.boolValue else {
            if let problem = InputFile.problem(path) { throw TableError(file: path, message: problem) }
            if path.lowercased().hasSuffix(".json") { return .profile }
            if path.lowercased().hasSuffix(".csv") { return .csv }
            let head = FileHandle(forReadingAtPath: path).flatMap { handle in
                defer { try? handle.close() }
                return try? handle.read(upToCount: 64)
            } ?? Data()
            return String(decoding: head, as: UTF8.self).drop { $0.isWhitespace }.first == "{" ? .profile : .csv
        }
        guard let entries = try? fm.contentsOfDirectory(atPath: path) else {
            throw TableError(file: path, message: "cannot read the folder (permission denied?)")
        }
        let visible = entries.filter { !$0.hasPrefix(".") }.sorted()
        guard !visible.isEmpty else { throw TableError(file: path, message: "the folder is empty; expected \(expected)") }
        if visible.contains("compute") { return .vidur }
        if visible.contains("H100") || !LLMServingSimLayout.layerTables(under: path).isEmpty { return .llmservingsim }
        let shown = visible.prefix(8).joined(separator: ", ") + (visible.count > 8 ? ", …" : "")
        throw TableError(file: path, message: "unknown layout (found \(shown)); expected \(expected)")
    }

    /// `1, 2, 4` for messages.
    static func list(_ values: [Int]) -> String { values.map(String.init).joined(separator: ", ") }
}

extension LLMServingSimLayout {
    /// Every `<org>/<model>/tp<N>/layers.csv` under `root`, relative to it, sorted.
    static func layerTables(under root: String) -> [String] {
        let fm = FileManager.default
        func folders(_ path: String) -> [String] {
            ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        }
        var found: [String] = []
        for org in folders(root) {
            for model in folders("\(root)/\(org)") {
                for tp in folders("\(root)/\(org)/\(model)") where tp.hasPrefix("tp")
                    && fm.fileExists(atPath: "\(root)/\(org)/\(model)/\(tp)/layers.csv") {
                    found.append("\(org)/\(model)/\(tp)/layers.csv")
                }
            }
        }
        return found
    }
}
