import Foundation

/// A command-line value that does not parse, with what is wrong in words (`description`),
/// e.g. "must be a whole number from 1 to 2147483647". Argument parsers show the
/// description after the value and the option it was given to.
public struct ArgumentValueError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Parse-level checks of numeric options: a value that is not a number, not finite, or out
/// of the option's range is refused with what is wrong ("must be a whole number from 1 to
/// 2147483647"), before any work. The command line uses these as option transforms with
/// unconditional parsing, so that `--m -1` reads -1 as the value (and is refused) instead
/// of as a missing value. Each throws `ArgumentValueError`.
public enum Numeric {
    /// Sizes and counts are capped here; larger values cannot be allocated anyway.
    public static let largest = Int(Int32.max)

    /// A whole number in `lower...upper` (surrounding spaces allowed).
    public static func int(_ lower: Int = 1, _ upper: Int = largest) -> @Sendable (String) throws -> Int {
        { text in
            guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v >= lower, v <= upper else {
                throw ArgumentValueError("must be a whole number from \(lower) to \(upper)")
            }
            return v
        }
    }

    /// A finite number above `lower` (or at least `lower` when `inclusive`), at most `upper`.
    public static func real(above lower: Double, inclusive: Bool = false, upTo upper: Double = 1e12) -> @Sendable (String) throws -> Double {
        { text in
            let bound = inclusive ? "at least \(short(lower))" : "above \(short(lower))"
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite,
                  inclusive ? v >= lower : v > lower, v <= upper else {
                throw ArgumentValueError("must be a finite number \(bound) and at most \(short(upper))")
            }
            return v
        }
    }

    /// A seed: a whole number from 0 to 2^64-1.
    public static let seed: @Sendable (String) throws -> UInt64 = { text in
        guard let v = UInt64(text.trimmingCharacters(in: .whitespaces)) else {
            throw ArgumentValueError("must be a whole number from 0 to \(UInt64.max)")
        }
        return v
    }

    /// `real` for a `Float` option.
    public static func float(above lower: Double, upTo upper: Double = 1e12) -> @Sendable (String) throws -> Float {
        let parse = real(above: lower, upTo: upper)
        return { Float(try parse($0)) }
    }

    /// `5` for 5.0, `0.99` otherwise: bounds as a user would write them.
    static func short(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}

/// `true` / `false` for the recipe overrides (a typo is an error naming the choices).
public enum Switch {
    public static let parse: @Sendable (String) throws -> Bool = { text in
        guard let v = Bool(text) else { throw ArgumentValueError("must be true or false") }
        return v
    }
}
