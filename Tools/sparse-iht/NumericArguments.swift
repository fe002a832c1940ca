import ArgumentParser
import Foundation

/// Parse-level checks of numeric options: a value that is not a number, not finite, or out
/// of the option's range is refused with what is wrong ("must be a whole number from 1 to
/// 2147483647"), before any work. Used with `parsing: .unconditional`, so that `--m -1`
/// reads -1 as the value (and is refused) instead of as a missing value.
enum Numeric {
    /// Sizes and counts are capped here; larger values cannot be allocated anyway.
    static let largest = Int(Int32.max)

    /// A whole number in `lower...upper`.
    static func int(_ lower: Int = 1, _ upper: Int = largest) -> @Sendable (String) throws -> Int {
        { text in
            guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v >= lower, v <= upper else {
                throw ValidationError("must be a whole number from \(lower) to \(upper)")
            }
            return v
        }
    }

    /// A finite number above `lower` (or at least `lower` when `inclusive`), at most `upper`.
    static func real(above lower: Double, inclusive: Bool = false, upTo upper: Double = 1e12) -> @Sendable (String) throws -> Double {
        { text in
            let bound = inclusive ? "at least \(short(lower))" : "above \(short(lower))"
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite,
                  inclusive ? v >= lower : v > lower, v <= upper else {
                throw ValidationError("must be a finite number \(bound) and at most \(short(upper))")
            }
            return v
        }
    }

    /// A seed: a whole number from 0 to 2^64-1.
    static let seed: @Sendable (String) throws -> UInt64 = { text in
        guard let v = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("must be a whole number from 0 to \(UInt64.max)")
        }
        return v
    }

    /// `real` for a `Float` option.
    static func float(above lower: Double, upTo upper: Double = 1e12) -> @Sendable (String) throws -> Float {
        let parse = real(above: lower, upTo: upper)
        return { Float(try parse($0)) }
    }

    private static func short(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

/// `true` / `false` for the recipe overrides (a typo is an error naming the choices).
enum Switch {
    static let parse: @Sendable (String) throws -> Bool = { text in
        guard let v = Bool(text) else { throw ValidationError("must be true or false") }
        return v
    }
}
