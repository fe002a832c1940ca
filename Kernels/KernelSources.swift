/// The OpenCL C sources of `Kernels/*.cl`, embedded at build time by the `EmbedKernels`
/// plugin (the generated extension fills `files`).
public enum KernelSources {
    /// The prelude prepended to every program (`prelude.cl`).
    public static let preludeName = "prelude.cl"

    /// Source text of one kernel file, prelude first. Returns nil for an unknown name.
    public static func program(_ name: String) -> String? {
        guard let body = files[name] else { return nil }
        return (files[preludeName] ?? "") + "\n#line 1\n" + body
    }
}
