// swift-tools-version:6.1
import PackageDescription

/// SparseIHT: sparse ReLU networks recovered by iterative hard thresholding.
///
/// Layout (see README "Architecture"):
/// - `SparseIHTCore`: problem types, sparse vectors, the `ComputeBackend` protocol, the solver.
/// - `SparseIHTCPU`: CPU backend (OpenBLAS through `CBLAS`, plain Swift).
/// - `SparseIHTOpenCL`: OpenCL runtime and backend (kernels from `Kernels/`, CLBlast). No OpenBLAS.
/// - `SparseIHTBaselines`: the dense baselines (`DenseMLP`, `AdamTrainer`, `MagnitudePruning`).
/// - `SparseIHTData`: dataset readers (IDX, CIFAR-10, CSV, PGM/PPM, PNG, gzip) and the real-data tasks.
/// - `SparseIHTTasks`: every task run (defaults table, data, reports), the baseline runs and sweeps.
/// - `COpenCL`, `CCLBlast`, `CBLAS`, `CZlib`, `CPNG`: system-library shims.
/// - `CVectorLoops`: the host support products' float loops in C, baseline and AVX2, chosen at start-up.
/// - `SparseIHTKernels`: the `.cl` sources of `Kernels/`, embedded at build time by a plugin.
let package = Package(
    name: "SparseIHT",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "sparse-iht", targets: ["sparse-iht"]),
        .executable(name: "iht-bench", targets: ["iht-bench"]),
        .library(name: "SparseIHTCore", targets: ["SparseIHTCore"]),
        .library(name: "SparseIHTBaselines", targets: ["SparseIHTBaselines"]),
        .library(name: "SparseIHTTasks", targets: ["SparseIHTTasks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "COpenCL", path: "Sources/COpenCL"),
        .systemLibrary(name: "CCLBlast", path: "Sources/CCLBlast"),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG"),
        .executableTarget(name: "embed-kernels", path: "Tools/embed-kernels"),
        .plugin(name: "EmbedKernels", capability: .buildTool(),
                dependencies: ["embed-kernels"], path: "Plugins/EmbedKernels"),
        .target(name: "SparseIHTKernels", path: "Kernels",
                plugins: ["EmbedKernels"]),
        .target(name: "CVectorLoops"),
        .target(name: "SparseIHTCore", dependencies: ["CVectorLoops"]),
        .target(name: "SparseIHTCPU", dependencies: ["SparseIHTCore", "CBLAS", "CVectorLoops"]),
        .target(name: "SparseIHTData", dependencies: ["SparseIHTCore", "CZlib", "CPNG"]),
        .target(name: "SparseIHTSelfTest", dependencies: ["SparseIHTCore"]),
        .target(name: "SparseIHTBaselines", dependencies: ["SparseIHTCore"]),
        .target(name: "SparseIHTOpenCL",
                dependencies: ["SparseIHTCore", "COpenCL", "CCLBlast", "SparseIHTKernels"]),
        .target(name: "SparseIHTTasks",
                dependencies: ["SparseIHTCore", "SparseIHTCPU", "SparseIHTOpenCL", "SparseIHTData", "SparseIHTSelfTest",
                               "SparseIHTBaselines"]),
        .executableTarget(
            name: "sparse-iht",
            dependencies: ["SparseIHTCore", "SparseIHTData", "SparseIHTTasks",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/sparse-iht"),
        .executableTarget(
            name: "iht-bench",
            dependencies: ["SparseIHTCore", "SparseIHTCPU", "SparseIHTOpenCL", "SparseIHTData",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tools/iht-bench"),
        .testTarget(name: "SparseIHTTests",
                    dependencies: ["SparseIHTCore", "CVectorLoops", "SparseIHTCPU", "SparseIHTOpenCL", "SparseIHTData", "SparseIHTSelfTest",
                                   "SparseIHTBaselines"]),
        .testTarget(name: "SparseIHTTasksTests",
                    dependencies: ["SparseIHTTasks", "SparseIHTCore", "SparseIHTCPU", "SparseIHTOpenCL", "SparseIHTData"]),
    ],
    swiftLanguageModes: [.v6]
)
