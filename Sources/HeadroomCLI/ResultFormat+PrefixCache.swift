import Foundation
import Headroom

extension ResultFormat {
    /// `Prefix cache 64.2 % of prompt tokens hit (…); per replica min … max …`.
    static func prefixCacheLine(_ cache: PrefixCacheSummary) -> String {
        var line = String(format: "Prefix cache %.1f %% of prompt tokens hit", cache.hitRate * 100)
            + " (\(Int(cache.hitTokens).grouped) of \(Int(cache.queriedTokens).grouped) looked up)"
        let rates = cache.replicas.map(\.hitRate)
        if rates.count > 1, let low = rates.min(), let high = rates.max() {
            line += String(format: "; %d replicas, %.1f–%.1f %%", rates.count, low * 100, high * 100)
        }
        return line
    }
}
