import Foundation
import SparseIHTCore
import SparseIHTData
import XCTest

/// Hand-made malformed files of every format: each is refused with an error that names the
/// file and the problem, before any allocation of the claimed size.
final class MalformedInputTests: XCTestCase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sparseiht-malformed-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @discardableResult
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let p = path(name)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// Asserts `body` throws a message containing the file's name and every `words`.
    func assertRefused(_ file: String, _ words: [String], _ body: () throws -> Void, line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { e in
            let text = "\(e)"
            XCTAssert(text.contains((file as NSString).lastPathComponent), "message does not name \(file): \(text)", line: line)
            for w in words { XCTAssert(text.contains(w), "message lacks '\(w)': \(text)", line: line) }
        }
    }

    /// A version-1 .npy with `header` and `payload` bytes.
    func npy(_ header: String, _ payload: [UInt8]) -> [UInt8] {
        var h = header
        while (10 + h.utf8.count + 1) % 64 != 0 { h += " " }
        h += "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(h.utf8.count & 255), UInt8(h.utf8.count >> 8)] + Array(h.utf8) + payload
    }

    func floats(_ v: [Float]) -> [UInt8] { v.withUnsafeBytes { Array($0) } }

    func idx(_ type: UInt8, _ shape: [UInt32], _ payload: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for s in shape { b += [UInt8(s >> 24 & 255), UInt8(s >> 16 & 255), UInt8(s >> 8 & 255), UInt8(s & 255)] }
        return b + payload
    }

    func bigEndianFloats(_ v: [Float]) -> [UInt8] {
        v.flatMap { f -> [UInt8] in let b = f.bitPattern; return [UInt8(b >> 24), UInt8(b >> 16 & 255), UInt8(b >> 8 & 255), UInt8(b & 255)] }
    }

    func gzip(_ p: String) throws -> String {
        let proc = Process()
        proc.executableURL = URL(fileURLWithPath: "/bin/gzip")
        proc.arguments = ["-f", p]
        try proc.run(); proc.waitUntilExit()
        XCTAssertEqual(proc.terminationStatus, 0)
        return p + ".gz"
    }

    // MARK: .npy

    func testNpyHeadersNotFullyUnderstoodAreRefused() throws {
        let data = floats((0..<240).map(Float.init))
        let cases: [(String, String, [String])] = [
            ("dup.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (30, 8), 'shape': (8, 30), }", ["duplicate key 'shape'"]),
            ("frac.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (30, 8.0), }", ["not a non-negative integer"]),
            ("nofo.npy", "{'descr': '<f4', 'shape': (30, 8), }", ["fortran_order"]),
            ("neg.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 8), }", ["not a non-negative integer"]),
            ("unknown.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (30, 8), 'x': 1, }", ["unknown key 'x'"]),
            ("huge.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }", ["overflows"]),
            ("vast.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 8), }", ["too large"]),
            ("big.npy", "{'descr': '>f8', 'fortran_order': False, 'shape': (30, 8), }", ["big-endian"]),
            ("short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (31, 8), }", ["truncated data"]),
            ("long.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (29, 8), }", ["extra data"]),
        ]
        for (name, header, words) in cases {
            let p = try write(npy(header, data), name)
            assertRefused(p, words) { _ = try NumPyFile.read(p) }
        }
        let nan = try write(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", floats([1, .nan])), "nan.npy")
        assertRefused(nan, ["value 1", "NaN"]) { _ = try NumPyFile.read(nan) }
        let npz = try write([0x50, 0x4B, 3, 4] + [UInt8](repeating: 0, count: 60), "arrays.npz")
        assertRefused(npz, ["np.save"]) { _ = try DataFiles.readArray(npz) }
        let npzNamedNpy = try write([0x50, 0x4B, 3, 4] + [UInt8](repeating: 0, count: 60), "zip.npy")
        assertRefused(npzNamedNpy, ["zip archive"]) { _ = try NumPyFile.read(npzNamedNpy) }
    }

    func testFortranOrderIsTransposedOnRead() throws {
        // np.save(path, A.T) for A = [[0, 1, 2], [3, 4, 5]]: A.T is 3 x 2, stored column-major
        // (A's row-major bytes) with fortran_order True.
        let p = try write(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2), }", floats([0, 1, 2, 3, 4, 5])), "ft.npy")
        let a = try NumPyFile.read(p)
        XCTAssertEqual(a.shape, [3, 2])
        XCTAssertEqual(a.values, [0, 3, 1, 4, 2, 5])
        // Three dimensions (2 x 3 x 2), element (i, j, k) at i + 2j + 6k in the file.
        let raw = (0..<12).map(Float.init)
        let q = try write(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 2), }", floats(raw)), "ft3.npy")
        let b = try NumPyFile.read(q)
        var expected: [Float] = []
        for i in 0..<2 { for j in 0..<3 { for k in 0..<2 { expected.append(raw[i + 2 * j + 6 * k]) } } }
        XCTAssertEqual(b.values, expected)
    }

    // MARK: IDX and gzip

    func testIDXHeaderSizesAreChecked() throws {
        let huge = try write(idx(0x08, [0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], [1, 2, 3]), "huge-idx")
        assertRefused(huge, []) { _ = try IDXFile.read(huge) }
        let claim = try write(idx(0x08, [100_000, 28, 28], [UInt8](repeating: 0, count: 100)), "claim-idx")
        assertRefused(claim, ["78400000 bytes of data", "file has 100"]) { _ = try IDXFile.read(claim) }
        let nan = try write(idx(0x0D, [2], bigEndianFloats([1, .nan])), "nan-idx")
        assertRefused(nan, ["value 1"]) { _ = try IDXFile.read(nan) }
        let inf = try write(idx(0x0E, [1], [0x7F, 0xEF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), "dbl-idx")
        assertRefused(inf, ["float32 range"]) { _ = try IDXFile.read(inf) }
    }

    func testGzipIsInflatedWithinALimit() throws {
        // 4 MB of zeros compress to a few KB; a 1 MB limit refuses them.
        let p = try write([UInt8](repeating: 0, count: 4 << 20), "zeros")
        let gz = try gzip(p)
        assertRefused(gz, ["decompresses to more than 1048576 bytes"]) { _ = try FileBytes.read(gz, limit: 1 << 20) }
        XCTAssertEqual(try FileBytes.read(gz, limit: 8 << 20).count, 4 << 20)
        // An IDX header claiming 100000 x 100 x 100 bytes inside a small gzip is refused
        // from the header (the claim exceeds the data, or memory), not inflated whole.
        let bomb = try write(idx(0x08, [100_000, 100, 100], [UInt8](repeating: 0, count: 1 << 20)), "bomb-idx")
        let bombGz = try gzip(bomb)
        assertRefused(bombGz, []) { _ = try IDXFile.read(bombGz) }
    }

    func testMNISTLabelsMustBeIntegerClasses() throws {
        for (n, label) in [("half", Float(1.5)), ("nan", .nan), ("inf", .infinity), ("huge", 1e10), ("neg", -1), ("point9", 0.9)] {
            let d = "mnist-\(n)"
            try write(idx(0x08, [2, 2, 2], [UInt8](repeating: 1, count: 8)), "\(d)/train-images-idx3-ubyte")
            try write(idx(0x0D, [2], bigEndianFloats([0, label])), "\(d)/train-labels-idx1-ubyte")
            try write(idx(0x08, [2, 2, 2], [UInt8](repeating: 1, count: 8)), "\(d)/t10k-images-idx3-ubyte")
            try write(idx(0x08, [2], [0, 1]), "\(d)/t10k-labels-idx1-ubyte")
            // NaN and infinity are refused by the IDX reader itself, the rest as labels.
            let words = !label.isFinite ? ["value 1"] : label == label.rounded() ? ["label 1", "outside the classes"] : ["label 1", "not an integer class"]
            assertRefused("train-labels-idx1-ubyte", words) { _ = try MNISTFamily.load(directory: path(d)) }
        }
    }

    func testNaNTestImageIsRefusedNotScored() throws {
        let d = "mnist-nan-image"
        try write(idx(0x08, [2, 2, 2], [UInt8](repeating: 1, count: 8)), "\(d)/train-images-idx3-ubyte")
        try write(idx(0x08, [2], [0, 1]), "\(d)/train-labels-idx1-ubyte")
        try write(idx(0x0D, [2, 2, 2], bigEndianFloats([1, 2, 3, .nan, 1, 2, 3, 4])), "\(d)/t10k-images-idx3-ubyte")
        try write(idx(0x08, [2], [0, 1]), "\(d)/t10k-labels-idx1-ubyte")
        assertRefused("t10k-images-idx3-ubyte", ["NaN"]) { _ = try MNISTFamily.load(directory: path(d)) }
        XCTAssertThrowsError(try LabelledData(x: [1, .nan], n: 1, d: 2, labels: [0], classes: 1))
    }

    // MARK: CSV, PGM/PPM, PNG, CIFAR-10

    func testCSVClassLabelsAreBoundedBeforeAllocation() throws {
        for (name, label) in [("big.csv", "1e10"), ("frac.csv", "1.5"), ("neg.csv", "-1"), ("nan.csv", "nan")] {
            let p = try write(Array("1,2,0\n3,4,\(label)\n".utf8), name)
            assertRefused(p, ["line 2"]) { _ = try CSVData.load(path: p, labelColumn: -1, header: false) }
        }
        let p = try write(Array("1,2,0\n3,4,1\n".utf8), "ok.csv")
        XCTAssertEqual(try CSVData.load(path: p, labelColumn: -1, header: false).classes, 2)
    }

    func testNetPBMSizesAndSamplesAreChecked() throws {
        let huge = try write(Array("P5\n100000 100000\n255\n".utf8) + [0, 0], "huge.pgm")
        assertRefused(huge, ["claimed"]) { _ = try NetPBM.read(huge) }
        let overflow = try write(Array("P6\n4611686018427387904 4611686018427387904\n255\n".utf8) + [0], "overflow.ppm")
        assertRefused(overflow, ["overflow"]) { _ = try NetPBM.read(overflow) }
        let above = try write(Array("P5\n2 1\n100\n".utf8) + [50, 101], "above.pgm")
        assertRefused(above, ["sample 1 is 101, above maxval 100"]) { _ = try NetPBM.read(above) }
        let maxval = try write(Array("P5\n2 1\n70000\n".utf8) + [0, 0, 0, 0], "maxval.pgm")
        assertRefused(maxval, ["maxval"]) { _ = try NetPBM.read(maxval) }
        let asciiAbove = try write(Array("P2\n2 1\n100\n50 101\n".utf8), "above-ascii.pgm")
        assertRefused(asciiAbove, ["sample 1"]) { _ = try NetPBM.read(asciiAbove) }
    }

    func testPNGMemoryGuardAndFeatureMapLimits() throws {
        let img = NetPBM.Image(width: 4, height: 3, channels: 1, pixels: [Float](repeating: 0.5, count: 12))
        XCTAssertThrowsError(try FourierFeatures.rows(of: img, features: 0, sigmas: [2, 2], seed: 0))
        XCTAssertThrowsError(try FourierFeatures.rows(of: img, features: 4, sigmas: [], seed: 0))
        XCTAssertThrowsError(try FourierFeatures.rows(of: img, features: 4, sigmas: [1e308, 1e308], seed: 0))
        XCTAssertThrowsError(try FourierFeatures.rows(of: img, features: 1 << 60, sigmas: [2, 2], seed: 0)) { e in
            XCTAssert("\(e)".contains("Fourier features"), "\(e)")
        }
        XCTAssertEqual(try FourierFeatures.rows(of: img, features: 4, sigmas: [2, 2], seed: 0).x.count, 12 * 8)
    }

    func testCIFARDirectoryWithoutTestBatchNamesIt() throws {
        try write([UInt8](repeating: 1, count: CIFAR10.recordBytes), "cifar/data_batch_1.bin")
        assertRefused("test_batch.bin", ["missing"]) { _ = try RealTasks.classification(dataset: path("cifar"), classes: [0, 1], split: .full) }
        let partial = try write([UInt8](repeating: 1, count: CIFAR10.recordBytes - 1), "partial.bin")
        assertRefused(partial, ["not a whole number"]) { _ = try CIFAR10.loadBatch(partial) }
    }

    func testClassListsAreChecked() throws {
        var rows = ""
        for i in 0..<20 { rows += "\(i),\(i % 2),\(i % 2)\n" }
        let p = try write(Array(rows.utf8), "two.csv")
        XCTAssertThrowsError(try RealTasks.classification(dataset: p, classes: [0, 0], split: .published)) { e in
            XCTAssert("\(e)".contains("listed twice"), "\(e)")
        }
        XCTAssertThrowsError(try RealTasks.classification(dataset: p, classes: [0, 99], split: .published)) { e in
            XCTAssert("\(e)".contains("class 99"), "\(e)")
        }
        XCTAssertEqual(try RealTasks.classification(dataset: p, classes: [0, 1], split: .published).train.classes, 2)
    }

    // MARK: Options and memory

    func testSolverOptionsRejectNonFiniteAndOversizedValues() {
        func refused(_ o: SolverOptions, _ word: String, line: UInt = #line) {
            XCTAssertThrowsError(try o.validate(n: 100, d: 10), line: line) { e in
                XCTAssert("\(e)".contains(word), "\(e)", line: line)
            }
        }
        var o = SolverOptions(m: 5, s: 10)
        XCTAssertNoThrow(try o.validate(n: 100, d: 10))
        o.inflation = .infinity; refused(o, "inflation")
        o.inflation = .nan; refused(o, "inflation")
        o = SolverOptions(m: 5, s: 10); o.tolerance = .nan; refused(o, "tolerance")
        for c in [0, -3] { o = SolverOptions(m: 5, s: 10); o.chunk = c; refused(o, "chunk") }
        o = SolverOptions(m: 5, s: 10); o.chunk = 4_611_686_018_427_387_904; refused(o, "chunk")
        refused(SolverOptions(m: Int.max, s: 10), "overflows")
        refused(SolverOptions(m: -1, s: 10), "m = -1")
    }

    func testVectorOptionsRejectNonFiniteAndOversizedValues() {
        func refused(_ o: VectorOptions, _ word: String, line: UInt = #line) {
            XCTAssertThrowsError(try o.validate(n: 100, d: 10, k: 3), line: line) { e in
                XCTAssert("\(e)".contains(word), "\(e)", line: line)
            }
        }
        var o = VectorOptions(m: 5, s: 10)
        XCTAssertNoThrow(try o.validate(n: 100, d: 10, k: 3))
        for share in [Double.nan, 2, -0.5] { o = VectorOptions(m: 5, s: 10); o.outputShare = share; refused(o, "output share") }
        for lr in [Double.nan, .infinity, 0, -1] { o = VectorOptions(m: 5, s: 10); o.learningRate = lr; refused(o, "lr") }
        for c in [0, -3, 4_611_686_018_427_387_904] { o = VectorOptions(m: 5, s: 10); o.chunk = c; refused(o, "chunk") }
        refused(VectorOptions(m: Int.max, s: 10), "overflows")
    }

    func testMemoryBudgetFollowsTheAddressSpaceLimit() throws {
        var old = rlimit()
        XCTAssertEqual(getrlimit(Int32(RLIMIT_AS.rawValue), &old), 0)
        defer { var restore = old; _ = setrlimit(Int32(RLIMIT_AS.rawValue), &restore) }
        // A soft limit well above what this process maps now, but below physical memory.
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let vmKiB = status.split(separator: "\n").first { $0.hasPrefix("VmSize:") }
            .flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        let limit = vmKiB * 1024 + (2 << 30)
        guard old.rlim_cur == rlim_t.max || Int(clamping: old.rlim_cur) > limit else { throw XCTSkip("already limited") }
        var lowered = old
        lowered.rlim_cur = rlim_t(limit)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_AS.rawValue), &lowered), 0)
        XCTAssertLessThanOrEqual(MemoryBudget.availableBytes, limit)
        XCTAssertThrowsError(try MemoryBudget.require(limit + 1, for: "test array")) { e in
            XCTAssert("\(e)".contains("test array"), "\(e)")
        }
        XCTAssertThrowsError(try MemoryBudget.require(nil, for: "overflowed"))
    }
}
