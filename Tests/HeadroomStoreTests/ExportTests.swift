import Foundation
import GRDB
import Headroom
import Testing
@testable import HeadroomStore

@Suite("Result tables and exports")
struct ExportTests {
    @Test("stored tables read back the run's values: series with TTFT over time, cold starts, quantiles")
    func tablesMatchTheResult() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, result) = try RunStoreTests.runAndSave(store)
        let series = try store.table("run_series", runs: [id])
        #expect(series.numbers("time") == result.series.map { $0.time })
        #expect(series.numbers("in_flight") == result.series.map { Double($0.inFlight) })
        #expect(series.numbers("ttft_p99_seconds") == result.series.map(\.ttftP99))
        #expect(result.series.contains { $0.ttftP99 != nil }, "some interval had finished requests")
        let quantiles = try store.table("latency_quantiles", runs: [id]).filtered("metric", equals: .text("ttft"))
        #expect(quantiles.numbers("seconds") == result.quantiles.ttft.map { Optional($0) })
        #expect(quantiles.numbers("percentile").last == 100)
        #expect(result.quantiles.ttft.last == result.summary.ttft.max)
        #expect(zip(result.quantiles.ttft, result.quantiles.ttft.dropFirst()).allSatisfy { $0 <= $1 }, "a CDF never decreases")
        let runs = try store.table("runs", runs: [id])
        #expect(runs.rows.count == 1)
        #expect(runs.numbers("cost_dollars") == [result.summary.cost.dollars])
        #expect(runs.texts("scenario") == ["store-test"])
        #expect(runs.columns.first { $0.name == "seed" }?.type == .integer)
        #expect(throws: StoreError.self) { try store.table("nodes; DROP TABLE runs", runs: [id]) }
    }

    @Test("per-interval TTFT percentiles are those of the requests finishing in the interval")
    func intervalTTFT() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (_, result) = try RunStoreTests.runAndSave(store)
        for point in result.series {
            #expect((point.ttftP50 == nil) == (point.finished == 0))
            if let p50 = point.ttftP50, let p99 = point.ttftP99 {
                #expect(p50 <= p99 && p99 <= result.summary.ttft.max * 1.01)
            }
        }
    }

    @Test("unknown runs and sweeps are named in the error")
    func unknownRuns() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, _) = try RunStoreTests.runAndSave(store)
        #expect(try store.resolveRuns(sweep: nil, ids: [id]) == [id])
        #expect { try store.resolveRuns(sweep: nil, ids: [id, 99]) } throws: { "\($0)".contains("no run with id 99") }
        #expect { try store.resolveRuns(sweep: "nope", ids: nil) } throws: { "\($0)".contains("sweep 'nope'") }
    }

    static let tricky = ResultTable(
        name: "t",
        columns: [.init(name: "id", type: .integer), .init(name: "x", type: .real), .init(name: "ok", type: .boolean),
                  .init(name: "reason", type: .text)],
        rows: [
            [.integer(1), .real(0.1), .integer(1), .text("plain")],
            [.integer(-2), .null, .integer(0), .text("a, \"quoted\"\nline")],
            [.null, .real(1e-300), .null, .null],
        ])

    @Test("CSV quotes what needs quoting and keeps every digit")
    func csv() {
        let text = String(decoding: ExportFormat.csv.encode(Self.tricky), as: UTF8.self)
        #expect(text == "id,x,ok,reason\r\n1,0.1,true,plain\r\n-2,,false,\"a, \"\"quoted\"\"\nline\"\r\n,1e-300,,\r\n")
    }

    @Test("JSON lines: one object per row, escaped text, null for NULL")
    func jsonLines() throws {
        let lines = String(decoding: ExportFormat.jsonl.encode(Self.tricky), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        let second = try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any]
        #expect(second?["reason"] as? String == "a, \"quoted\"\nline")
        #expect(second?["x"] is NSNull)
        #expect(second?["ok"] as? Bool == false)
        let third = try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as? [String: Any]
        #expect(third?["x"] as? Double == 1e-300)
    }

    @Test("Parquet: magic at both ends, the footer length points at the metadata, values PLAIN in the page")
    func parquet() {
        let bytes = ExportFormat.parquet.encode(Self.tricky)
        #expect(Array(bytes.prefix(4)) == Array("PAR1".utf8) && Array(bytes.suffix(4)) == Array("PAR1".utf8))
        let footer = bytes[bytes.count - 8..<bytes.count - 4].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        #expect(Int(footer) < bytes.count - 12)
        // Thrift compact: FileMetaData starts with field 1 (version) as i32: 0x15, zigzag(1) = 2.
        #expect(Array(bytes[bytes.count - 8 - Int(footer)..<bytes.count - 8 - Int(footer) + 2]) == [0x15, 0x02])
        // The text column holds its non-null strings length-prefixed.
        let needle = Array("a, \"quoted\"\nline".utf8)
        #expect(bytes.indices.contains { i in bytes[i...].starts(with: needle) })
        #expect(ThriftCompact.zigzag(-1) == 1 && ThriftCompact.zigzag(1) == 2 && ThriftCompact.zigzag(-64) == 127)
        var varint: [UInt8] = []
        ThriftCompact.varint(300, into: &varint)
        #expect(varint == [0xAC, 0x02])
    }

    @Test("export writes one file per table, and never leaves a partial file")
    func exportFiles() throws {
        let store = try RunStore(writer: DatabaseQueue())
        let (id, result) = try RunStoreTests.runAndSave(store)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("headroom-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try ExportFormat.export(store, runs: [id], format: .csv, to: folder)
        #expect(files.map { URL(fileURLWithPath: $0.file).lastPathComponent } == RunStore.exportTables.map { "\($0).csv" })
        #expect(files.first { $0.file.hasSuffix("run_series.csv") }?.rows == result.series.count)
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(!listing.contains { $0.hasSuffix(".partial") })
        let series = try String(contentsOf: folder.appendingPathComponent("run_series.csv"), encoding: .utf8)
        #expect(series.hasPrefix("run_id,time,arrivals,"))
    }
}
