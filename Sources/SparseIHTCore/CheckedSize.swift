/// Checked size arithmetic for header fields: nil on a negative factor or overflow.
public enum CheckedSize {
    /// The product of `factors`, or nil when one is negative or the product overflows.
    public static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (r, o) = p.multipliedReportingOverflow(by: f)
            guard !o else { return nil }
            p = r
        }
        return p
    }

    /// `a * b`, or nil when either is negative or the product overflows.
    public static func product(_ a: Int, _ b: Int) -> Int? { product([a, b]) }
}
