/// The Fourier matrix of the INR feature map: `features x sigmas.count` entries
/// `N(0, sigma_c^2)` from a seeded stream (row-major), shared by `FourierFeatures` and
/// model files.
public enum FourierMatrix {
    public static func make(features: Int, sigmas: [Double], seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed ^ 0x510E_527F_ADE6_82D1, stream: 3)
        return (0..<(features * sigmas.count)).map { Float(rng.normal() * sigmas[$0 % sigmas.count]) }
    }
}
