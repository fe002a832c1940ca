/// Result of hard thresholding: ascending `indices` and the `values` found there.
public struct TopKResult: Equatable, Sendable {
    /// Ascending positions of the kept entries.
    public var indices: [Int32]
    /// The kept entries' values (signed), in the order of `indices`.
    public var values: [Float]

    public init(indices: [Int32], values: [Float]) {
        self.indices = indices
        self.values = values
    }

    public static let empty = TopKResult(indices: [], values: [])
}

/// Ordering key of hard thresholding: the float's bits with the sign cleared, which is
/// monotone in `|v|` for every non-NaN value (so `-0.0` and `0.0` tie).
@inline(__always)
public func magnitudeKey(_ v: Float) -> UInt32 { v.bitPattern & 0x7FFF_FFFF }

/// Deterministic top-k by magnitude over a host array (the CPU algorithm and the parity
/// reference): four 8-bit radix-histogram passes find the threshold key `T` and how many
/// entries equal to `T` to keep; one stable pass keeps every entry above `T` and the
/// lowest-index entries at `T`. O(count) time, no sort.
///
/// - Throws: `SparseIHTError.nonFinite` when an entry is NaN or infinite;
///   `SparseIHTError.invalidArgument` when `k < 0`.
public func topKByMagnitude(_ values: UnsafeBufferPointer<Float>, k: Int) throws -> TopKResult {
    let count = values.count
    guard k >= 0 else { throw SparseIHTError.invalidArgument("top-k with k = \(k) < 0") }
    if let bad = values.firstIndex(where: { !$0.isFinite }) {
        throw SparseIHTError.nonFinite(what: "top-k input", index: bad)
    }
    let keep = min(k, count)
    if keep == 0 { return .empty }
    let (threshold, tiesToKeep) = radixThreshold(values, k: keep)
    var indices = [Int32](); indices.reserveCapacity(keep)
    var kept = [Float](); kept.reserveCapacity(keep)
    var ties = 0
    for i in 0..<count {
        let key = magnitudeKey(values[i])
        if key > threshold || (key == threshold && ties < tiesToKeep) {
            if key == threshold { ties += 1 }
            indices.append(Int32(i)); kept.append(values[i])
        }
    }
    return TopKResult(indices: indices, values: kept)
}

/// Threshold key of the `k`-th largest magnitude (`1 <= k <= count`) and how many entries
/// with exactly that key belong to the top-k.
func radixThreshold(_ values: UnsafeBufferPointer<Float>, k: Int) -> (UInt32, Int) {
    var prefix: UInt32 = 0      // bits fixed so far
    var prefixMask: UInt32 = 0  // which bits are fixed
    var remaining = k           // how many still to take among entries matching the prefix
    var hist = [Int](repeating: 0, count: 256)
    // Keys still matching the prefix, gathered on the second pass: the later passes read
    // only them instead of every value again.
    var keys = [UInt32]()
    hist.withUnsafeMutableBufferPointer { h in
        for shift in stride(from: 24, through: 0, by: -8) {
            for b in 0..<256 { h[b] = 0 }
            let sh = UInt32(shift)
            if shift == 24 {
                for v in values { h[Int(magnitudeKey(v) >> 24)] += 1 }
            } else if shift == 16 {
                for v in values {
                    let key = magnitudeKey(v)
                    if key & prefixMask == prefix { keys.append(key); h[Int((key >> sh) & 0xFF)] += 1 }
                }
            } else {
                var kept = 0
                keys.withUnsafeMutableBufferPointer { kp in
                    for t in 0..<kp.count where kp[t] & prefixMask == prefix {
                        let key = kp[t]
                        kp[kept] = key; kept += 1
                        h[Int((key >> sh) & 0xFF)] += 1
                    }
                }
                keys.removeLast(keys.count - kept)
            }
            var bin = 255
            while bin > 0 && h[bin] < remaining { remaining -= h[bin]; bin -= 1 }
            prefix |= UInt32(bin) << sh
            prefixMask |= 0xFF << sh
        }
    }
    return (prefix, remaining)
}

/// Merges a running top-k with the top-k of a later chunk whose indices are all larger,
/// keeping the `k` entries of largest magnitude (ties to the lower index). Both inputs are
/// ascending by index; so is the result. Because every entry of the global top-k is in its
/// chunk's top-k under the same order, merging chunk results gives the exact global top-k.
public func mergeTopK(_ a: TopKResult, _ b: TopKResult, k: Int) -> TopKResult {
    let total = a.indices.count + b.indices.count
    if total <= k {
        return TopKResult(indices: a.indices + b.indices, values: a.values + b.values)
    }
    // Order all candidates by (key desc, index asc); keep the first k, then restore index order.
    var order = Array(0..<total)
    func key(_ t: Int) -> (UInt32, Int32) {
        t < a.indices.count ? (magnitudeKey(a.values[t]), a.indices[t])
                            : (magnitudeKey(b.values[t - a.indices.count]), b.indices[t - a.indices.count])
    }
    order.sort { l, r in
        let (kl, il) = key(l), (kr, ir) = key(r)
        return kl != kr ? kl > kr : il < ir
    }
    let chosen = order.prefix(k).sorted()
    return TopKResult(indices: chosen.map { key($0).1 },
                      values: chosen.map { $0 < a.indices.count ? a.values[$0] : b.values[$0 - a.indices.count] })
}
