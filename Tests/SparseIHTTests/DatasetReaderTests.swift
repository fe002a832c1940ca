import Foundation
import SparseIHTCore
import SparseIHTCPU
import SparseIHTData
import XCTest

/// Readers of the real-data formats, on files the tests write.
final class DatasetReaderTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("sparseiht-data-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func write(_ bytes: [UInt8], _ name: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path(name))) }

    func gzip(_ name: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-f", path(name)]
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
    }

    func idx(_ type: UInt8, _ shape: [Int], _ payload: [UInt8]) -> [UInt8] {
        var b: [UInt8] = [0, 0, type, UInt8(shape.count)]
        for s in shape { b += [UInt8(s >> 24 & 255), UInt8(s >> 16 & 255), UInt8(s >> 8 & 255), UInt8(s & 255)] }
        return b + payload
    }

    func testMNISTFamilyDirectoryPlainAndGzip() throws {
        // 3 training images of 2 x 2 and 2 test images, labels in 0..<10.
        try write(idx(0x08, [3, 2, 2], Array(0..<12)), "train-images-idx3-ubyte")
        try write(idx(0x08, [3], [7, 0, 9]), "train-labels-idx1-ubyte")
        try write(idx(0x08, [2, 2, 2], Array(100..<108)), "t10k-images-idx3-ubyte")
        try write(idx(0x08, [2], [1, 2]), "t10k-labels-idx1-ubyte")
        try gzip("train-images-idx3-ubyte")
        let split = try MNISTFamily.load(directory: dir.path)
        XCTAssertEqual(split.train.n, 3); XCTAssertEqual(split.train.d, 4)
        XCTAssertEqual(split.train.labels, [7, 0, 9])
        XCTAssertEqual(Array(split.train.x[4..<8]), [4, 5, 6, 7])
        XCTAssertEqual(split.test.x.first, 100)
        // A label outside 0..<10 and a count mismatch are rejected.
        try write(idx(0x08, [3], [7, 0, 12]), "train-labels-idx1-ubyte")
        XCTAssertThrowsError(try MNISTFamily.load(directory: dir.path)) { e in XCTAssert("\(e)".contains("outside"), "\(e)") }
        try write(idx(0x08, [2], [7, 0]), "train-labels-idx1-ubyte")
        XCTAssertThrowsError(try MNISTFamily.load(directory: dir.path)) { e in XCTAssert("\(e)".contains("2 labels for 3 images"), "\(e)") }
        // Corrupt gzip.
        try write([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3], "bad.gz")
        XCTAssertThrowsError(try FileBytes.read(path("bad.gz"))) { e in XCTAssert("\(e)".contains("gzip"), "\(e)") }
    }

    func testCIFAR10Batch() throws {
        var bytes: [UInt8] = []
        for r in 0..<3 { bytes.append(UInt8(r)); bytes += (0..<3072).map { UInt8(($0 + r) % 256) } }
        try write(bytes, "data_batch_1.bin")
        try write(bytes, "test_batch.bin")
        let split = try CIFAR10.load(dir.path)
        XCTAssertEqual(split.train.n, 3); XCTAssertEqual(split.train.d, 3072)
        XCTAssertEqual(split.train.labels, [0, 1, 2])
        XCTAssertEqual(split.train.x[3072 + 5], 6)
        try write(Array(bytes.dropLast()), "short.bin")
        XCTAssertThrowsError(try CIFAR10.loadBatch(path("short.bin"))) { e in XCTAssert("\(e)".contains("whole number"), "\(e)") }
        // Per-channel normalization gives zero mean per channel on the training set.
        let (norm, divisor, mean) = RealTasks.normalizePerChannel(split)
        let red = (0..<3).flatMap { i in norm.train.x[(i * 3072)..<(i * 3072 + 1024)] }
        XCTAssertEqual(Double(red.reduce(0, +)) / Double(red.count), 0, accuracy: 1e-4)
        XCTAssertEqual(divisor.count, 3072); XCTAssertEqual(mean.count, 3072)
    }

    /// The binary-cifar10 task on CIFAR-format files the test writes (two synthetic classes:
    /// bright sky over a dark ground, and a red band low in the frame, both under strong
    /// noise; the other eight classes present as distractors): published split falls back to
    /// the files' test set, per-channel normalization, the scalar solver separates the two
    /// classes, and the INR loader reads image 0 as 32 x 32 x 3.
    func testBinaryCIFAR10TaskOnWrittenFiles() throws {
        var rng = SeededGenerator(seed: 11, stream: 5)
        func batch(_ count: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            for r in 0..<count {
                let label = r % 10
                bytes.append(UInt8(label))
                for ch in 0..<3 { for p in 0..<1024 {
                    let row = p / 32
                    var v = Double(rng.below(140))
                    if label == 0 && ch == 2 && row < 16 { v += 110 }     // sky
                    if label == 1 && ch == 0 && (20..<26).contains(row) { v += 110 }  // red band
                    if label >= 2 { v += Double(label * 8) }
                    bytes.append(UInt8(min(255, v)))
                } }
            }
            return bytes
        }
        try write(batch(400), "data_batch_1.bin")
        try write(batch(200), "test_batch.bin")
        let data = try RealTasks.classification(dataset: dir.path, classes: [0, 1], split: .published)
        XCTAssertEqual(data.train.n, 80); XCTAssertEqual(data.test.n, 40); XCTAssertEqual(data.train.d, 3072)
        let (norm, _, _) = RealTasks.normalizePerChannel(data)
        var o = SolverOptions(m: 10, s: 40)
        o.steps = 20; o.seed = 2
        let problem = try RegressionProblem(x: norm.train.x, y: norm.train.labels.map(Float.init), n: norm.train.n, d: 3072)
        let b = CPUBackend()
        let r = try IHTSolver(backend: b, problem: problem, options: o).run()
        let scores = try ScalarModel(weights: r.weights, generators: r.generators).predict(x: norm.test.x, n: norm.test.n, backend: b)
        XCTAssertGreaterThanOrEqual(ClassificationMetrics.accuracy(scores: scores, k: 1, labels: norm.test.labels), 0.9)
        let image = try RealTasks.image(dataset: dir.path, index: 0)
        XCTAssertEqual([image.height, image.width, image.channels], [32, 32, 3])
        XCTAssert(image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    func testCSVWithLabelColumn() throws {
        try Data("1,2,0\n3,4,1\n5,6,2\n".utf8).write(to: URL(fileURLWithPath: path("a.csv")))
        let d = try CSVData.load(path: path("a.csv"), labelColumn: -1, header: false)
        XCTAssertEqual(d.n, 3); XCTAssertEqual(d.d, 2); XCTAssertEqual(d.labels, [0, 1, 2]); XCTAssertEqual(d.classes, 3)
        try gzip("a.csv")
        XCTAssertEqual(try CSVData.load(path: path("a.csv.gz"), labelColumn: -1, header: false).x, [1, 2, 3, 4, 5, 6])
        try Data("1,2,0\n3,x,1\n".utf8).write(to: URL(fileURLWithPath: path("b.csv")))
        XCTAssertThrowsError(try CSVData.load(path: path("b.csv"), labelColumn: -1, header: false)) { e in
            XCTAssert("\(e)".contains("line 2"), "\(e)")
        }
        try Data("1,2,0\n3,1\n".utf8).write(to: URL(fileURLWithPath: path("c.csv")))
        XCTAssertThrowsError(try CSVData.load(path: path("c.csv"), labelColumn: -1, header: false))
        try Data("1,2,0.5\n".utf8).write(to: URL(fileURLWithPath: path("d.csv")))
        XCTAssertThrowsError(try CSVData.load(path: path("d.csv"), labelColumn: -1, header: false))
    }

    func testNetPBMReadWrite() throws {
        try Data("P2\n# comment\n3 2\n255\n0 128 255\n1 2 3\n".utf8).write(to: URL(fileURLWithPath: path("a.pgm")))
        let a = try NetPBM.read(path("a.pgm"))
        XCTAssertEqual(a.width, 3); XCTAssertEqual(a.height, 2); XCTAssertEqual(a.channels, 1)
        XCTAssertEqual(a.pixels[2], 1); XCTAssertEqual(a.pixels[1], 128.0 / 255, accuracy: 1e-6)
        let rgb = NetPBM.Image(width: 2, height: 1, channels: 3, pixels: [0, 0.5, 1, 1, 0, 0])
        try NetPBM.write(rgb, to: path("b.ppm"))
        let b = try NetPBM.read(path("b.ppm"))
        XCTAssertEqual(b.channels, 3)
        XCTAssertEqual(b.pixels.map { ($0 * 255).rounded() }, [0, 128, 255, 255, 0, 0])
        try Data("P5\n4 4\n255\n".utf8 + [1, 2]).write(to: URL(fileURLWithPath: path("c.pgm")))
        XCTAssertThrowsError(try NetPBM.read(path("c.pgm"))) { e in XCTAssert("\(e)".contains("truncated"), "\(e)") }
    }

    /// PNG through libpng: files made outside the project (RGBA 8-bit, 16-bit gray), a
    /// round trip through the writer, and clear errors for damaged files.
    func testPNGReadWrite() throws {
        // 2 x 2 RGBA: opaque red, half-transparent green / transparent blue, opaque (10, 20, 30).
        try write([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
                   0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00, 0x00, 0x00, 0x72, 0xb6, 0x0d,
                   0x24, 0x00, 0x00, 0x00, 0x16, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
                   0x1f, 0x08, 0x1b, 0x18, 0x40, 0x34, 0x97, 0x88, 0xdc, 0x7f, 0x00, 0x37, 0x80, 0x05, 0xb8, 0x8a,
                   0xad, 0xee, 0x22, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82], "rgba.png")
        let rgba = try PNGImage.read(path("rgba.png"))
        XCTAssertEqual([rgba.width, rgba.height, rgba.channels], [2, 2, 3])
        let bytes = rgba.pixels.map { Int(($0 * 255).rounded()) }
        XCTAssertEqual(Array(bytes[0..<3]), [255, 0, 0])
        XCTAssertEqual(Array(bytes[6..<12]), [0, 0, 0, 10, 20, 30])   // transparent onto black; opaque kept
        XCTAssertEqual(bytes[3], 0); XCTAssertEqual(bytes[5], 0)
        XCTAssert(bytes[4] > 64 && bytes[4] < 224, "half-transparent green composited: \(bytes[4])")
        // 2 x 1 16-bit grayscale: 0 and 65535.
        try write([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
                   0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x81, 0xd9, 0xfc,
                   0x15, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x60, 0x60, 0xf8, 0xff,
                   0x1f, 0x00, 0x03, 0x02, 0x01, 0xff, 0xe6, 0x77, 0x0b, 0xae, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
                   0x4e, 0x44, 0xae, 0x42, 0x60, 0x82], "gray16.png")
        let gray = try PNGImage.read(path("gray16.png"))
        XCTAssertEqual([gray.width, gray.height, gray.channels], [2, 1, 1])
        XCTAssertEqual(gray.pixels, [0, 1])
        // Round trip, and the INR task's image loader dispatching on the extension.
        let picture = NetPBM.Image(width: 3, height: 2, channels: 3, pixels: (0..<18).map { Float($0 * 15) / 255 })
        try PNGImage.write(picture, to: path("round.png"))
        let back = try RealTasks.image(dataset: path("round.png"), index: 0)
        XCTAssertEqual(back.pixels, picture.pixels)
        XCTAssertEqual([back.width, back.height, back.channels], [3, 2, 3])
        // Damaged files: a text file, a truncated PNG, a missing file.
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: path("text.png")))
        XCTAssertThrowsError(try PNGImage.read(path("text.png"))) { e in XCTAssert("\(e)".contains("text.png"), "\(e)") }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path("round.png")))
        try whole.prefix(whole.count - 20).write(to: URL(fileURLWithPath: path("cut.png")))
        XCTAssertThrowsError(try PNGImage.read(path("cut.png")))
        XCTAssertThrowsError(try PNGImage.read(path("missing.png")))
    }

    func testFourierFeatures() {
        let ff = FourierFeatures(features: 5, sigmas: [2, 2], seed: 1)
        let rows = ff.embed([0, 0, 0.5, 0.25])
        XCTAssertEqual(rows.count, 2 * 10)
        XCTAssertEqual(Array(rows[0..<5]), [0, 0, 0, 0, 0])       // sin(0)
        XCTAssertEqual(Array(rows[5..<10]), [1, 1, 1, 1, 1])      // cos(0)
        for f in 0..<5 { XCTAssertEqual(rows[10 + f] * rows[10 + f] + rows[15 + f] * rows[15 + f], 1, accuracy: 1e-5) }
        let img = NetPBM.Image(width: 2, height: 2, channels: 3, pixels: (0..<12).map { Float($0) / 11 })
        let s = FourierFeatures.samples(of: img)
        XCTAssertEqual(s.dims, 3); XCTAssertEqual(s.values.count, 12); XCTAssertEqual(s.coordinates.count, 36)
    }
}
