import CBLAS

extension CPUBackend {
    /// OpenBLAS's thread count: read from `OPENBLAS_NUM_THREADS` (or the core count) at
    /// start-up; setting it changes the count for every later call in the process.
    public static var openBLASThreads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }
}
