import CBLAS
import SparseIHTCore

extension CPUBackend {
    /// Threads of the backend's SGEMMs: `OPENBLAS_NUM_THREADS` (or OpenBLAS's default) at
    /// start-up; setting it changes the count for every later call in the process, and that
    /// of the host loops (`HostThreads`). Results do not depend on it (`DeterministicGemm`).
    public static var openBLASThreads: Int {
        get { DeterministicGemm.threads }
        set { DeterministicGemm.threads = max(1, newValue); HostThreads.count = max(1, newValue) }
    }
}
