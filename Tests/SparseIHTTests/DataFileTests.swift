import Foundation
import SparseIHTCore
import SparseIHTData
import XCTest

final class DataFileTests: XCTestCase {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sparseiht-tests-\(getpid())")

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func testNpyRoundTripAndProblemLoading() throws {
        let x: [Float] = (0..<12).map { Float($0) - 5.5 }
        try NumPyFile.write(x, shape: [4, 3], to: path("x.npy"))
        try NumPyFile.write([1, 2, 3, 4] as [Float], shape: [4], to: path("y.npy"))
        let back = try NumPyFile.read(path("x.npy"))
        XCTAssertEqual(back.shape, [4, 3])
        XCTAssertEqual(back.values, x)
        let p = try DataFiles.regressionProblem(x: path("x.npy"), y: path("y.npy"))
        XCTAssertEqual(p.n, 4); XCTAssertEqual(p.d, 3)
        try NumPyFile.write([7, 8] as [Int64], shape: [2], to: path("i.npy"))
        XCTAssertEqual(try NumPyFile.read(path("i.npy")).values, [7, 8])
    }

    func testFloat64NpyWrittenByHand() throws {
        // A float64 .npy as NumPy writes it (version 1 header, 64-byte aligned).
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0])
        data.append(contentsOf: Array(header.utf8))
        for v in [1.5, -2.25, 1e10] as [Double] { withUnsafeBytes(of: v) { data.append(contentsOf: $0) } }
        try data.write(to: URL(fileURLWithPath: path("f8.npy")))
        XCTAssertEqual(try NumPyFile.read(path("f8.npy")).values, [1.5, -2.25, 1e10])
    }

    func testBadFilesGiveClearErrors() throws {
        FileManager.default.createFile(atPath: path("empty.npy"), contents: Data())
        XCTAssertThrowsError(try NumPyFile.read(path("empty.npy"))) { e in XCTAssert("\(e)".contains("empty")) }
        XCTAssertThrowsError(try NumPyFile.read(path("missing.npy"))) { e in XCTAssert("\(e)".contains("cannot read")) }
        try NumPyFile.write([Float](repeating: 1, count: 100), shape: [10, 10], to: path("full.npy"))
        let full = try Data(contentsOf: URL(fileURLWithPath: path("full.npy")))
        try full.prefix(full.count - 7).write(to: URL(fileURLWithPath: path("trunc.npy")))
        XCTAssertThrowsError(try NumPyFile.read(path("trunc.npy"))) { e in XCTAssert("\(e)".contains("truncated")) }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path("text.npy")))
        XCTAssertThrowsError(try NumPyFile.read(path("text.npy"))) { e in XCTAssert("\(e)".contains("magic")) }
        // Shape mismatch between X and y.
        try NumPyFile.write([1, 2, 3] as [Float], shape: [3], to: path("y3.npy"))
        XCTAssertThrowsError(try DataFiles.regressionProblem(x: path("full.npy"), y: path("y3.npy"))) { e in
            XCTAssert("\(e)".contains("10 rows"), "\(e)")
        }
        // NaN in a file.
        try NumPyFile.write([1, .nan, 3] as [Float], shape: [3, 1], to: path("nan.npy"))
        XCTAssertThrowsError(try DataFiles.regressionProblem(x: path("nan.npy"), y: path("y3.npy"))) { e in
            XCTAssert("\(e)".contains("nan.npy") && "\(e)".contains("value 1") && "\(e)".contains("NaN"), "\(e)")
        }
    }

    func testIDXParsing() throws {
        // 2 x 3 unsigned bytes.
        let bytes: [UInt8] = [0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]
        try Data(bytes).write(to: URL(fileURLWithPath: path("a.idx")))
        let a = try IDXFile.read(path("a.idx"))
        XCTAssertEqual(a.shape, [2, 3]); XCTAssertEqual(a.values, [1, 2, 3, 4, 5, 255])
        try Data(bytes.dropLast()).write(to: URL(fileURLWithPath: path("b.idx")))
        XCTAssertThrowsError(try IDXFile.read(path("b.idx"))) { e in XCTAssert("\(e)".contains("file has")) }
    }
}
