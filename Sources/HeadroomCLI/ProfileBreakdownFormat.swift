import Foundation
import Headroom
import HeadroomEngine

/// `profile show PROFILE --tokens LIST [--cached N] [--batch N --context N]`: the iterations a user
/// asked about, each split into linear operators, attention and communication.
struct ProfileBreakdown: Encodable {
    struct Row: Encodable {
        /// `prefill` or `decode`.
        var kind: String
        /// Prefill: the chunk's tokens; decode: the sequences.
        var tokens: Int?
        var cached: Int?
        var sequences: Int?
        var contextPerSequence: Int?
        var linearSeconds: Double
        var attentionSeconds: Double
        var communicationSeconds: Double
        var totalSeconds: Double
    }

    var profile: String
    var form: String
    var source: String
    var iterations: [Row]

    init(_ profile: HardwareProfile, tokens: [Int], cached: Int, batch: Int?, context: Int) {
        self.profile = profile.name
        form = profile.form.rawValue
        source = profile.source
        var rows: [Row] = []
        func row(_ kind: String, _ parts: IterationBreakdown) -> Row {
            Row(kind: kind, linearSeconds: parts.linear.seconds, attentionSeconds: parts.attention.seconds,
                communicationSeconds: parts.communication.seconds, totalSeconds: parts.total.seconds)
        }
        for count in tokens {
            var prefill = row("prefill", profile.breakdown(decodes: 0, prefills: [(count, cached)], decodeContext: 0))
            prefill.tokens = count
            prefill.cached = cached
            rows.append(prefill)
        }
        if let batch {
            var decode = row("decode", profile.breakdown(decodes: batch, prefills: [], decodeContext: Int64(batch) * Int64(context)))
            decode.sequences = batch
            decode.contextPerSequence = context
            rows.append(decode)
        }
        iterations = rows
    }

    var text: String {
        var lines = ["\(profile) (\(form) form): one iteration, as a simulation prices it", "source: \(source)", ""]
        let header = ["iteration", "linear", "attention", "communication", "total"]
        var table: [[String]] = [header]
        for row in iterations {
            let title = row.kind == "prefill"
                ? "prefill \((row.tokens ?? 0).grouped) tokens" + ((row.cached ?? 0) > 0 ? " after \((row.cached ?? 0).grouped)" : "")
                : "decode \((row.sequences ?? 0).grouped) × \((row.contextPerSequence ?? 0).grouped) context"
            table.append([title] + [row.linearSeconds, row.attentionSeconds, row.communicationSeconds, row.totalSeconds].map {
                String(format: "%.3f ms", $0 * 1e3)
            })
        }
        let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        for cells in table {
            lines.append(cells.enumerated().map { column, cell in
                column == 0 ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "   "))
        }
        switch form {
        case "knee": lines.append("(the knee form folds the all-reduces into its per-token term: communication is within linear)")
        case "linear": lines.append("(the linear form has no communication term; its context term is shown as attention)")
        default: break
        }
        return lines.joined(separator: "\n")
    }
}
