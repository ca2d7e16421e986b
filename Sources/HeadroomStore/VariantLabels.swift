import Foundation

/// Short, unique labels for a sweep's variants: a grid point `kpa, a.b=30s, c=8` reads `kpa, 30s, 8`
/// with one legend naming the keys, and a label still too long is cut with `…`.
struct VariantLabels {
    private var labels: [String: String] = [:]
    private(set) var legend: String?

    init(_ variants: [String], width: Int?) {
        let parsed = variants.map { variant -> (short: String, keys: [String], values: [String])? in
            let parts = variant.components(separatedBy: ", ")
            guard parts.count > 1 else { return nil }
            let pairs = parts.dropFirst().map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
            guard pairs.allSatisfy({ $0.count == 2 }) else { return nil }
            return (parts[0], pairs.map { $0[0] }, pairs.map { $0[1] })
        }
        let keys = parsed.first??.keys
        let compact = keys != nil && parsed.allSatisfy { $0?.keys == keys }
        for (variant, parse) in zip(variants, parsed) {
            labels[variant] = compact ? Self.cut(parse!.short, then: parse!.values.map { ", " + $0 }.joined(), to: width)
                : Self.cut(Comparison.shortName(variant), then: String(variant.dropFirst(Comparison.shortName(variant).count)), to: width)
        }
        if compact, let keys { legend = "Variants read: name, " + keys.joined(separator: ", ") + "." }
        // Cutting may make two labels equal: then show them whole.
        if Set(labels.values).count < labels.count { labels = Dictionary(uniqueKeysWithValues: variants.map { ($0, $0) }); legend = nil }
    }

    /// `name` + `rest` in at most `width` characters: the name is cut first (the grid values tell
    /// variants apart), then the middle.
    static func cut(_ name: String, then rest: String, to width: Int?) -> String {
        let whole = name + rest
        guard let width, whole.count > width else { return whole }
        let keep = width - rest.count - 1
        if keep >= min(6, name.count) { return String(name.prefix(keep)) + "…" + rest }
        let head = (width - 1) / 2
        return String(whole.prefix(head)) + "…" + String(whole.suffix(width - 1 - head))
    }

    subscript(variant: String) -> String { labels[variant] ?? variant }
}
