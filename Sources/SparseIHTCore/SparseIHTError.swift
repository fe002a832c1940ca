/// Errors raised by SparseIHT for bad input or impossible requests. Every case says what
/// was wrong in words a user can act on (`description`).
public enum SparseIHTError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A value was NaN or infinite; `what` names the array, `index` the first offender.
    case nonFinite(what: String, index: Int)
    /// An argument is outside its allowed range.
    case invalidArgument(String)
    /// Array shapes do not fit together.
    case shapeMismatch(String)
    /// A file could not be read or is malformed.
    case badFile(path: String, reason: String)
    /// The requested backend or device cannot be used.
    case backendUnavailable(String)
    /// Ran out of memory even at the smallest chunk size.
    case outOfMemory(String)

    public var description: String {
        switch self {
        case let .nonFinite(what, index): return "\(what) contains a NaN or infinite value (first at index \(index))"
        case let .invalidArgument(s): return "invalid argument: \(s)"
        case let .shapeMismatch(s): return "shape mismatch: \(s)"
        case let .badFile(path, reason): return "\(path): \(reason)"
        case let .backendUnavailable(s): return "backend unavailable: \(s)"
        case let .outOfMemory(s): return "out of memory: \(s)"
        }
    }
}

/// Throws `SparseIHTError.nonFinite` naming `what` if any value is NaN or infinite.
public func requireFinite<C: Collection>(_ values: C, _ what: String) throws where C.Element == Float {
    var i = 0
    for v in values {
        if !v.isFinite { throw SparseIHTError.nonFinite(what: what, index: i) }
        i += 1
    }
}
