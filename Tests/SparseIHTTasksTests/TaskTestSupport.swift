import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData
import SparseIHTOpenCL
import XCTest

/// The OpenCL backend for task tests (`SPARSEIHT_TEST_DEVICE`, else `SPARSEIHT_DEVICE`, else
/// auto); with `CI=true` a missing device fails, elsewhere the test is skipped.
func openCLForTaskTests() throws -> OpenCLBackend {
    let env = ProcessInfo.processInfo.environment
    do { return try OpenCLBackend(selector: env["SPARSEIHT_TEST_DEVICE"] ?? env["SPARSEIHT_DEVICE"] ?? "auto") } catch {
        if env["CI"] == "true" { XCTFail("CI=true requires an OpenCL device (PoCL): \(error)"); throw error }
        throw XCTSkip("no OpenCL device: \(error)")
    }
}

/// A fresh temporary directory.
func temporaryDirectory(_ name: String) throws -> String {
    let dir = NSTemporaryDirectory() + "sparse-iht-tasks-\(name)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A CSV dataset (last column = label) of `classes` well separated Gaussian clusters in
/// `d` dimensions, `perClass` rows each.
func writeClusterCSV(to path: String, classes: Int, perClass: Int, d: Int, seed: UInt64) throws {
    var g = SeededGenerator(seed: seed)
    var lines: [String] = []
    for i in 0..<(classes * perClass) {
        let label = i % classes
        let row = (0..<d).map { j in String(format: "%.4f", (j % classes == label ? 3.0 : 0.0) + g.normal()) }
        lines.append((row + [String(label)]).joined(separator: ","))
    }
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
}

/// A smooth grayscale test image (PGM).
func writeTestImage(to path: String, width: Int, height: Int) throws {
    var pixels: [Float] = []
    for r in 0..<height { for c in 0..<width {
        pixels.append(0.5 + 0.4 * Float(sin(Double(r) / 3) * cos(Double(c) / 4)))
    } }
    try NetPBM.write(NetPBM.Image(width: width, height: height, channels: 1, pixels: pixels), to: path)
}

/// Runs `executable` with `arguments`, output discarded; returns its exit status.
func runQuietly(_ executable: String, _ arguments: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

/// The repository's root folder (figures, results and scripts live below it).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A python3 that imports matplotlib (Debian's `python3-matplotlib`); skips the test where
/// there is none, and fails it under `CI=true`, where CI installs it.
func pythonWithMatplotlib() throws -> String {
    let found = ["/usr/bin/python3", "/usr/local/bin/python3"].first { path in
        FileManager.default.isExecutableFile(atPath: path) && (try? runQuietly(path, ["-c", "import matplotlib"])) == 0
    }
    guard let found else {
        if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail("CI=true needs python3-matplotlib") }
        throw XCTSkip("no python3 with matplotlib")
    }
    return found
}
