import Foundation
import HeadroomEngine
import Testing
@testable import Headroom

/// The byte-level trace parsers read every input exactly as the earlier `String` parsers did:
/// numbers bit-identical to `Double(_: String)`, the same rows, skips and messages.
@Suite("Trace parsing from bytes")
struct TraceParserTests {
    static func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalText.double($0) }
    }

    static func fast(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer { DecimalText.fast($0) }
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (x?, y?): x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN)
        default: false
        }
    }

    @Test("tricky decimals parse bit-identically to Double(String), on the fast paths where they can")
    func trickyDecimals() {
        let cases = [
            "0.021460580527450777", "3599.9775701657195", "0.1", "0.2", "0.3", "1e23", "8.5", "-0", "-0.0", "0", "000",
            "9007199254740992", "9007199254740993", "9007199254740995", "18446744073709551615", "18446744073709551616",
            "7.2057594037927933e+16", "1.7976931348623157e308", "1.7976931348623159e308", "2.2250738585072011e-308",
            "2.2250738585072014e-308", "4.9e-324", "5e-324", "1e-400", "1e400", "123456789012345678901234567890",
            "0.00000000000000000000000000000000000001", "1.00000000000000011102230246251565404236316680908203125",
            "1.0000000000000001110223024625156540423", "0.30000000000000004", "2.5e-5", "1E+05", "1e+0", "+5", "1.", ".5",
            "-.5e3", "007", "1e", ".", "", " 1", "1 ", "1_0", "0x10", "inf", "-inf", "nan", "1e+", "--1", "1..2", "1e5.5",
            "4503599627370496.5", "4503599627370497.5", "1e-22", "1e22", "1e-23", "9999999999999999999", "99999999999999999999",
        ]
        for text in cases {
            #expect(Self.same(Self.parse(text), Double(text)), "\(text): \(String(describing: Self.parse(text))) vs \(String(describing: Double(text)))")
        }
        // The peer's arrivals (17 significant digits, beyond Clinger's path) take the fast path.
        for text in ["0.021460580527450777", "3599.9775701657195", "1814.3029232003226", "0.30000000000000004"] {
            #expect(Self.fast(text) != nil, "\(text) fell back")
        }
    }

    @Test("random shortest-repr doubles (as Python's repr writes them) and random 19-digit decimals round-trip exactly")
    func randomDecimals() {
        var random = RandomStream(seed: 22, name: "decimals")
        var fastCount = 0
        for _ in 0..<200_000 {
            // Shortest round-trip text of a random double across the exponents traces use.
            let scale = pow(10, Double(Int(random.next() % 40)) - 20)
            let value = random.nextUnit() * scale
            let text = "\(value)"
            let parsed = Self.parse(text)
            #expect(parsed?.bitPattern == value.bitPattern, "\(text)")
            if Self.fast(text) != nil { fastCount += 1 }
            // Arbitrary digit strings: every rounding case, including near-ties.
            var digits = String(random.next() % 10_000_000_000_000_000_000)
            let point = Int(random.next() % UInt64(digits.count + 1))
            digits.insert(".", at: digits.index(digits.startIndex, offsetBy: point))
            let exponent = Int(random.next() % 61) - 30
            let decimal = digits + "e\(exponent)"
            #expect(Self.same(Self.parse(decimal), Double(decimal)), "\(decimal)")
        }
        #expect(fastCount > 190_000)
        // Exact ties between neighbouring doubles: halfway above 2^53 and above 2^60.
        for base in [UInt64(1) << 53, UInt64(1) << 60] {
            for step in 0..<200 {
                let text = String(base + UInt64(step) * (base >> 52) / 2)
                #expect(Self.same(Self.parse(text), Double(text)), "\(text)")
            }
        }
    }

    @Test("Azure timestamps from bytes equal the String parser's, odd shapes included")
    func azureTimestamps() {
        let cases = ["2023-11-16 18:17:03.9799600", "2023-11-16 18:17:04.0319600", "2023-11-16 18:17:03", "1970-01-01 00:00:00.0",
                     "2024-02-29 23:59:60.9999999", "2023-13-01 00:00:00", "2023-11-16  18:17:03", "2023-11-16T18:17:03", "23-11-16 1:2:3",
                     "2023-11-16 18:17:3.5", "2023-11-16 18:17:03.5e1", "2023-11-x-16 18:17:03", "+2023-11-16 18:17:03", "", "2023-11-16 18:17:61"]
        for text in cases {
            let bytes = Array(text.utf8).withUnsafeBufferPointer { TraceReader.azureTimestamp($0) }
            #expect(Self.same(bytes, TraceReader.azureTimestamp(text)), "\(text)")
        }
    }

    @Test("CSV: CRLF lines, spaces around fields, no trailing newline, a huge field, hash lists; bad numbers named with file:line")
    func csvRows() throws {
        let columns = TraceSpec.Columns(time: "t", prompt: "p", output: "o", session: "s", hashIDs: "h")
        let path = try TraceTests.write("t,p,o,s,h\r\n0.5 , 10,2,a,1;2 3;;4\r\n1.5,20,3,,+5\r\n\r\n  \t \n2,1e3,4,a,18446744073709551615\n"
                                        + "2.5,x,1,b,\n3,5,5,b,18446744073709551616\n3.5,\"7\",1,b,\n4,7,1,b,1", name: "t.csv")
        var reader = try TraceReader(file: path, format: .csv, columns: columns)
        var rows: [TraceRecord] = []
        while let row = try reader.next() { rows.append(row) }
        #expect(rows == [TraceRecord(time: 0, promptTokens: 10, outputTokens: 2, session: 0, hashIDs: [1, 2, 3, 4]),
                         TraceRecord(time: 1, promptTokens: 20, outputTokens: 3, hashIDs: [5]),
                         TraceRecord(time: 1.5, promptTokens: 1000, outputTokens: 4, session: 0, hashIDs: [UInt64.max]),
                         TraceRecord(time: 3.5, promptTokens: 7, outputTokens: 1, session: 1, hashIDs: [1])])
        // No quoting in the trace formats: a quoted number is not a number.
        #expect(reader.skippedExamples.map(\.description) == [
            "\(path):7: token counts must be numbers",
            "\(path):8: hash id `18446744073709551616` is not a non-negative integer",
            "\(path):9: token counts must be numbers",
        ])
        var strict = try TraceReader(file: path, format: .csv, columns: columns, badRows: .fail)
        #expect { while try strict.next() != nil {} } throws: { "\($0)" == "\(path):7: token counts must be numbers" }
        let time = try TraceTests.write("t,p,o\n1,1,1\n1.5.2,1,1\n", name: "t.csv")
        var timeReader = try TraceReader(file: time, format: .csv, columns: TraceSpec.Columns(time: "t", prompt: "p", output: "o"), badRows: .fail)
        #expect { while try timeReader.next() != nil {} } throws: { "\($0)" == "\(time):3: timestamp `1.5.2` is not a number" }

        // A 300 KB field: the buffer grows for that line only, and the rows around it read.
        let huge = String(repeating: "x", count: 300_000)
        let big = try TraceTests.write(TraceReader.synthHeader + "\n0,1,1\n1,1,\(huge)\n2,3,3\n", name: "t.csv")
        var bigReader = try TraceReader(file: big)
        var bigRows: [TraceRecord] = []
        while let row = try bigReader.next() { bigRows.append(row) }
        #expect(bigRows.map(\.promptTokens) == [1, 3] && bigReader.skipped == 1)
        #expect(bigReader.skippedExamples.first?.message == "token counts must be numbers")
        #expect(bigReader.peakBufferBytes < 300_000 + 70_000)
    }

    @Test("Mooncake lines: the byte parser's reading equals Foundation's wherever it answers, and it answers the usual lines")
    func mooncakeLines() throws {
        let path = try TraceTests.write("{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n", name: "t.jsonl")
        let reader = try TraceReader(file: path)
        let lines = [
            "{\"timestamp\": 27482, \"input_length\": 6955, \"output_length\": 52, \"hash_ids\": [46, 47, 48, 49]}",
            "{\"timestamp\":5,\"input_length\":1,\"output_length\":2}",
            " {\"hash_ids\": [], \"output_length\": 3, \"note\": {\"a\": [1, 2.5, \"x\\\"y\", null, true, false]}, \"timestamp\": 7, \"input_length\": 9} ",
            "{\"timestamp\": 1.5, \"input_length\": 1, \"output_length\": 2}",
            "{\"timestamp\": 1e3, \"input_length\": 1, \"output_length\": 2}",
            "{\"timestamp\": -0, \"input_length\": -4, \"output_length\": 2}",
            "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2, \"hash_ids\": [1, -2]}",
            "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2, \"hash_ids\": [1.5]}",
            "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2, \"hash_ids\": [12345678901234567890]}",
            "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2, \"hash_ids\": null}",
            "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2, \"timestamp\": 3}",
            "{\"time\\u0073tamp\": 1, \"input_length\": 1, \"output_length\": 2}",
            "{\"timestamp\": 1, \"input_length\": 1}",
            "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2,}",
            "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2} x",
            "{\"timestamp\": 01, \"input_length\": 1, \"output_length\": 2}",
            "{\"timestamp\": \"1\", \"input_length\": 1, \"output_length\": 2}",
            // Keys as long as the known ones, one byte off: other keys, skipped.
            "{\"timestamq\": 9, \"input_lengtx\": 8, \"output_lengtH\": 7, \"hash_idz\": [7], \"timestamp\": 1, \"input_length\": 1, \"output_length\": 2}",
            "{\"timestamq\": 9, \"input_lengtx\": 8, \"output_lengtH\": 7}",
            "[1, 2]", "{", "", "{\"timestamp\": 1, \"input_length\": 1, \"output_length\": 2, \"x\": [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]}",
        ]
        var answered = 0
        for line in lines {
            let bytes = Array(line.utf8)
            var fastHashes: [UInt64] = []
            let fastRow = bytes.withUnsafeBufferPointer { pointer in
                var scanner = JSONLineScanner(bytes: pointer)
                return scanner.mooncake(hashes: &fastHashes)
            }
            var slowHashes: [UInt64] = []
            let slowRow = try? reader.mooncakeFoundation(line, hashes: &slowHashes)
            guard let fastRow else { continue }
            answered += 1
            #expect(fastRow.time.bitPattern == slowRow?.time.bitPattern && fastRow.prompt == slowRow?.prompt
                    && fastRow.output == slowRow?.output && fastHashes == slowHashes, "\(line)")
        }
        #expect(answered == 4)
        // Malformed lines are refused with the file and line, as before.
        let bad = try TraceTests.write("{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n{\"timestamp\": 1, \"input_length\": 1}\n"
                                       + "{\"timestamp\": 2, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [1, -2]}\n{oops\n", name: "t.jsonl")
        var badReader = try TraceReader(file: bad)
        while try badReader.next() != nil {}
        #expect(badReader.skippedExamples.map(\.description) == [
            "\(bad):2: missing or non-numeric `timestamp`, `input_length` or `output_length`",
            "\(bad):3: `hash_ids` must be a list of non-negative integers (found -2)",
            "\(bad):4: not a JSON object",
        ])
    }

    @Test("a looped replay measures its period on the first pass: the same arrivals as a scanned period")
    func loopPeriodFromFirstPass() throws {
        let path = try TraceTests.write("time,p,o\n0,10,1\n3,20,2\n7,30,3\n12,40,4\n20,50,5\n", name: "t.csv")
        var spec = TraceSpec(file: path, format: .csv)
        spec.columns = TraceSpec.Columns(time: "time", prompt: "p", output: "o")
        spec.loop = true
        spec.windowStart = .seconds(3)
        spec.windowEnd = .seconds(15)
        func arrivals(_ period: Double?) throws -> [Double] {
            var replay = try TraceReplay(spec, seed: 1, loopPeriod: period)
            return (0..<10).compactMap { _ in replay.next()?.arrival.seconds }
        }
        let scanned = try arrivals(try TraceScan(spec).loopPeriod)
        #expect(try arrivals(nil) == scanned)
        // Window 3...12 s: span 9 s + a mean gap of 4.5 s.
        #expect(scanned == [0, 4, 9, 13.5, 17.5, 22.5, 27, 31, 36, 40.5])
        // A window with no rows ends the replay instead of looping forever.
        spec.windowStart = .seconds(13)
        spec.windowEnd = .seconds(14)
        #expect(try arrivals(nil).isEmpty)
    }

    @Test("bad_rows: fail checks every row when the scenario loads, naming the line; a loop needs one row in the window")
    func scenarioChecks() throws {
        let path = try TraceTests.write(TraceReader.synthHeader + "\n0,1,1\n1,1,1\n2,x,1\n3,1,1\n", name: "t.csv")
        func yaml(_ options: String) -> String {
            """
            name: t
            duration: 1m
            workload:
              trace: {file: \(path)\(options)}
            model: {name: m, weights: 16GB, kv_bytes_per_token: 128KiB}
            profile: h100-llama3-8b
            node_pools: [{name: p, gpu: H100, price_per_hour: 10, max_nodes: 2}]
            policy: {kind: fixed, replicas: 1}
            """
        }
        #expect { try Scenario.parse(yaml: yaml(", bad_rows: fail")) } throws: { "\($0)".contains("\(path):4: token counts must be numbers") }
        _ = try Scenario.parse(yaml: yaml(", loop: true"))
        #expect { try Scenario.parse(yaml: yaml(", loop: true, window: {start: 10s}")) } throws: { "\($0)".contains("no readable rows in the window") }
        let option = try TraceSpec.parse(option: "{file: \(path), loop: true}")
        #expect(option.loop && option.file == path)
        #expect { try TraceSpec.parse(option: "{file: \(path), speed: 2}") } throws: { "\($0)".contains("unknown key `speed`") }
    }
}
