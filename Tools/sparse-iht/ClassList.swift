import ArgumentParser
import Foundation

/// `--classes` of recover, baseline and evaluate: comma-separated non-negative class
/// indices ("0,1", "3, 5"); nil for anything else (an empty list, a negative or non-integer
/// entry), so a typo is an error rather than a silently shorter list.
func parseClassList(_ text: String) -> [Int]? {
    let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
    return parts.compactMap { $0 }
}

/// Validation of an optional `--classes` flag.
func validateClassList(_ text: String?) throws {
    if let text, parseClassList(text) == nil {
        throw ValidationError("--classes must be a comma-separated list of class indices, e.g. 0,1")
    }
}
