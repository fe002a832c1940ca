import Foundation

/// Deterministic random numbers: SplitMix64 keyed by `(seed, stream)`, so independent
/// streams (one per neuron, per revival, per purpose) reproduce bit for bit on every
/// machine and backend. Normals come from Box-Muller in Double, rounded to Float.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private var spareNormal: Double?

    /// A stream identified by `seed` and `stream`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        state = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15 &* (stream &+ 1)) ^ Self.mix(stream &* 0xD1B5_4A32_D192_ED03 &+ seed)
    }

    /// SplitMix64 finalizer.
    @inline(__always)
    static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in (0, 1), never exactly 0.
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Standard normal N(0, 1).
    public mutating func normal() -> Double {
        if let s = spareNormal { spareNormal = nil; return s }
        let r = (-2 * Foundation.log(uniform())).squareRoot()
        let t = 2 * Double.pi * uniform()
        spareNormal = r * Foundation.sin(t)
        return r * Foundation.cos(t)
    }

    /// `count` standard normals as Float.
    public mutating func normals(_ count: Int) -> [Float] {
        (0..<count).map { _ in Float(normal()) }
    }

    /// Fills `out` with standard normals as Float.
    public mutating func fillNormals(_ out: UnsafeMutableBufferPointer<Float>) {
        for i in out.indices { out[i] = Float(normal()) }
    }

    /// Uniform integer in `0..<bound`.
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// `count` distinct integers from `0..<range`, ascending (Floyd's algorithm).
    public mutating func distinct(_ count: Int, below range: Int) -> [Int] {
        precondition(count <= range)
        var chosen = Set<Int>()
        for j in (range - count)..<range {
            let t = below(j + 1)
            if !chosen.insert(t).inserted { chosen.insert(j) }
        }
        return chosen.sorted()
    }
}
