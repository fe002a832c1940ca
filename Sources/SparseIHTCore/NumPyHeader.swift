/// The header of a `.npy` file: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. Parsed strictly: exactly
/// the keys `descr`, `fortran_order` and `shape`, each once; strings, `True`/`False`, and
/// tuples of non-negative integers; anything else is an error naming the file.
enum NumPyHeader {
    enum Value: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    static func dictionary(_ text: String, path: String) throws -> [String: Value] {
        func bad(_ r: String) -> SparseIHTError { .badFile(path: path, reason: "malformed .npy header (\(r)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))") }
        let c = Array(text.unicodeScalars)
        var i = 0
        func skip() { while i < c.count, c[i] == " " || c[i] == "\t" || c[i] == "\n" || c[i] == "\r" { i += 1 } }
        func expect(_ ch: Unicode.Scalar) throws {
            skip()
            guard i < c.count, c[i] == ch else { throw bad("expected '\(ch)'") }
            i += 1
        }
        func string() throws -> String {
            skip()
            guard i < c.count, c[i] == "'" || c[i] == "\"" else { throw bad("expected a quoted string") }
            let q = c[i]; i += 1
            var out = String.UnicodeScalarView()
            while i < c.count, c[i] != q {
                guard c[i] != "\\" else { throw bad("escapes in strings are not supported") }
                out.append(c[i]); i += 1
            }
            guard i < c.count else { throw bad("unterminated string") }
            i += 1
            return String(out)
        }
        func integer() throws -> Int {
            skip()
            var digits = ""
            while i < c.count, ("0"..."9").contains(c[i]) { digits.unicodeScalars.append(c[i]); i += 1 }
            if i < c.count, c[i] == "L" { i += 1 }  // Python 2 long suffix
            guard !digits.isEmpty else { throw bad("a dimension is not a non-negative integer") }
            guard let v = Int(digits) else { throw bad("dimension \(digits) is too large") }
            return v
        }
        func value() throws -> Value {
            skip()
            guard i < c.count else { throw bad("unexpected end") }
            if c[i] == "'" || c[i] == "\"" { return .string(try string()) }
            if c[i] == "(" {
                i += 1
                var dims: [Int] = []
                skip()
                if i < c.count, c[i] == ")" { i += 1; return .tuple(dims) }
                while true {
                    dims.append(try integer())
                    skip()
                    guard i < c.count else { throw bad("unterminated shape tuple") }
                    if c[i] == ")" { i += 1; break }
                    guard c[i] == "," else { throw bad("a dimension is not a non-negative integer") }
                    i += 1; skip()
                    if i < c.count, c[i] == ")" { i += 1; break }
                }
                return .tuple(dims)
            }
            for (word, v) in [("True", true), ("False", false)] where String(String.UnicodeScalarView(c[i..<min(c.count, i + word.unicodeScalars.count)])) == word {
                i += word.unicodeScalars.count
                return .bool(v)
            }
            throw bad("unsupported value")
        }
        var dict: [String: Value] = [:]
        try expect("{")
        while true {
            skip()
            guard i < c.count else { throw bad("unterminated dict") }
            if c[i] == "}" { i += 1; break }
            let key = try string()
            guard ["descr", "fortran_order", "shape"].contains(key) else { throw bad("unknown key '\(key)'") }
            guard dict[key] == nil else { throw bad("duplicate key '\(key)'") }
            try expect(":")
            dict[key] = try value()
            skip()
            guard i < c.count else { throw bad("unterminated dict") }
            if c[i] == "," { i += 1; continue }
            guard c[i] == "}" else { throw bad("expected ',' or '}'") }
            i += 1; break
        }
        skip()
        guard i == c.count else { throw bad("text after the dict") }
        return dict
    }
}
