import Foundation
import Headroom
import Testing
@testable import HeadroomCalibration

/// `ProfileFidelity.judge` and `MeasuredPoints`: a profile judged, not refitted, against
/// measurements it was not made from.
@Suite("Profile fidelity against other measurements")
struct ProfileFidelityAgainstTests {
    typealias Sample = CalibratedProfile.Sample

    /// A straight-line profile with whole-nanosecond coefficients, so predictions are exact.
    static func lineProfile(device: String = "GPU × 1") -> CalibratedProfile {
        CalibratedProfile(
            name: "line", backend: "test", device: .init(name: device, memoryBytes: 80e9, driver: "-", runtime: "-", hostProcessor: "-"),
            model: .init(name: "m", layers: 1, hidden: 1, heads: 1, kvHeads: 1, intermediate: 1, dtype: "bf16", parameters: 1),
            samples: [], fit: .init(base: 1e-3, perSequence: 10e-6, perPrefillToken: 50e-6, perContextToken: 40e-9, rSquared: 1,
                                    maxRelativeError: 0),
            loadPath: nil)
    }

    /// A temporary file holding `text`, removed by the caller.
    static func file(_ text: String, name: String = "points.csv") throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-against-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }

    static func same(_ a: Double?, _ b: Double?) -> Bool {
        a == nil && b == nil || (a.flatMap { x in b.map { abs(x - $0) < 1e-9 } } ?? false)
    }

    @Test("hand-made CSV points with known errors: exact band medians and worst, per TP and over all")
    func handMadeCSV() throws {
        let model = Self.lineProfile().hardwareProfile
        // Each row is measured at predicted / (1 + error), so its relative error is `error` exactly.
        let rows: [(tp: Int, batch: Int, prefill: Int, context: Int, error: Double)] = [
            (1, 1, 16, 0, 0.1), (1, 1, 32, 0, 0.3), (1, 1, 100, 0, 0.2), (1, 1, 5000, 0, 0.5),
            (1, 4, 0, 1024, 0.04), (1, 8, 0, 2048, 0.02), (1, 2, 0, 512, 0.06), (1, 64, 0, 65536, 0.1),
            (2, 1, 512, 0, 0.08), (2, 16, 0, 4096, 0.12),
        ]
        var text = "tp,batch,prefill_tokens,context_tokens,seconds,comment\n"
        for row in rows {
            let predicted = model.iterationTime(batch: row.batch, prefillTokens: row.prefill, contextTokens: Int64(row.context)).seconds
            text += "\(row.tp),\(row.batch),\(row.prefill),\(row.context),\(predicted / (1 + row.error)),x\n"
        }
        let path = try Self.file(text)
        defer { Self.remove(path) }
        let points = try MeasuredPoints.load(path, for: Self.lineProfile())
        #expect(points.source.kind == .csv && points.source.tensorParallel == [1, 2] && points.count == 10)
        #expect(points.source.summary.contains("10 of 10 rows at TP 1, 2"), "\(points.source.summary)")
        let judgement = try ProfileFidelity.judge(Self.lineProfile(), against: points)
        #expect(judgement.folds == 0 && judgement.line == nil && judgement.form.form == "linear" && judgement.samples == 10)
        #expect(judgement.method.hasPrefix("judged against 10 measured points from \(path), not refitted"))
        let tp1 = try #require(judgement.byTensorParallel.first)
        let expected: [(String, Int, Double?, Double?)] = [
            ("1–32", 2, 0.2, 0.3), ("33–256", 1, 0.2, 0.2), ("257–1,024", 0, nil, nil), ("1,025–4,096", 0, nil, nil), ("> 4,096", 1, 0.5, 0.5),
            ("1–8", 3, 0.04, 0.06), ("9–64", 1, 0.1, 0.1), ("65–256", 0, nil, nil), ("> 256", 0, nil, nil), ("all", 8, 0.1, 0.5),
        ]
        #expect(tp1.tensorParallel == 1 && tp1.form.bands.count == expected.count)
        for (band, (name, count, median, worst)) in zip(tp1.form.bands, expected) {
            #expect(band.band == name && band.count == count && Self.same(band.medianRelativeError, median)
                        && Self.same(band.worstRelativeError, worst), "\(band) vs \(name)")
        }
        let tp2 = try #require(judgement.byTensorParallel.last)
        #expect(tp2.tensorParallel == 2 && tp2.samples == 2 && Self.same(tp2.form.bands.last?.medianRelativeError, 0.1))
        // Over all ten: sorted 0.02 0.04 0.06 0.08 0.1 | 0.1 0.12 0.2 0.3 0.5 → median 0.1, worst 0.5.
        #expect(Self.same(judgement.form.bands.last?.medianRelativeError, 0.1) && Self.same(judgement.form.bands.last?.worstRelativeError, 0.5))
        let table = judgement.table
        for part in ["against: a CSV of measured iterations", "TP 1: 8 points", "TP 2: 2 points (the profile is for TP 1)",
                     "prefill 1–32 tok", "20.0 %", "method: judged against 10 measured points"] {
            #expect(table.contains(part), "lacks \(part): \(table)")
        }
        // `--tp` keeps only the rows at that TP.
        let only = try MeasuredPoints.load(path, for: Self.lineProfile(), selection: .init(tensorParallel: [2]))
        #expect(only.count == 2 && only.source.tensorParallel == [2])
    }

    @Test("a CSV without a tp column is at the profile's TP (or the one --tp names); a spreadsheet's BOM and CRLF are read")
    func csvWithoutTP() throws {
        let path = try Self.file("\u{FEFF}batch,prefill_tokens,context_tokens,seconds\r\n1,128,0,0.01\r\n8,0,2048,0.02\r\n")
        defer { Self.remove(path) }
        let points = try MeasuredPoints.load(path, for: Self.lineProfile(device: "GPU × 4"))
        #expect(points.source.tensorParallel == [4] && points.source.summary.contains("taken as the profile's TP"))
        let named = try MeasuredPoints.load(path, for: Self.lineProfile(), selection: .init(tensorParallel: [2]))
        #expect(named.source.tensorParallel == [2] && named.count == 2)
    }

    @Test("points of a deeper model are judged as the simulator serves it: the profile scaled by the layer count")
    func deeperModel() throws {
        var deep = Self.lineProfile()
        deep.model.layers = 32
        let model = deep.hardwareProfile
        deep.samples = [(1, 256, 0), (1, 2048, 1024), (8, 0, 8192), (64, 0, 65536)].map { batch, prefill, context in
            Sample(batch: batch, prefillTokens: prefill, contextTokens: context,
                   seconds: model.iterationTime(batch: batch, prefillTokens: prefill, contextTokens: Int64(context)).seconds)
        }
        var shallow = Self.lineProfile()
        shallow.model.layers = 16
        shallow.fit = .init(base: 0.5e-3, perSequence: 5e-6, perPrefillToken: 25e-6, perContextToken: 20e-9, rSquared: 1, maxRelativeError: 0)
        let path = try Self.file(String(decoding: try deep.encoded(), as: UTF8.self), name: "deep.json")
        defer { Self.remove(path) }
        let judgement = try ProfileFidelity.judge(shallow, against: try MeasuredPoints.load(path, for: shallow))
        #expect((judgement.form.bands.last?.worstRelativeError ?? 1) < 1e-9, "\(judgement.form.bands)")
    }

    @Test("a measured table with Windows line ends (CRLF) has its rows and line numbers")
    func crlfTable() throws {
        let table = try MeasuredTable(text: "a,b\r\n1,2\r\n3,x\r\n", file: "t.csv")
        #expect(table.rows.count == 2 && table.columns == ["a", "b"])
        #expect(throws: TableError(file: "t.csv", line: 3, column: "b", message: "`x` is not a number")) { try table.number(1, 1) }
    }
}
