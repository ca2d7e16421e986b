extension Int {
    /// 1234567 → "1,234,567": counts in printed tables read at a glance. No locale, so output is
    /// the same on every machine (and in the README's quoted blocks).
    var grouped: String {
        let digits = String(magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return (self < 0 ? "-" : "") + out
    }
}
