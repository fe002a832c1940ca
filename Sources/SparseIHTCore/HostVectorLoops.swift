import CVectorLoops

/// The instruction set of the host's support-product loops (`CVectorLoops`): chosen once at
/// start-up from the processor's features; both choices give the same bits.
public enum HostVectorLoops {
    /// `"avx2"` or `"baseline"` (the x86-64 baseline, or a non-x86 build).
    public static var level: String { vl_level() == 1 ? "avx2" : "baseline" }
}
