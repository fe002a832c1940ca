import SparseIHTCore
@testable import SparseIHTOpenCL
import XCTest

/// The OpenCL runtime layer: errors, build logs, device selection.
final class OpenCLRuntimeTests: XCTestCase {
    func testErrorsCarryCallAndSymbolicName() {
        let e = OpenCLError(call: "clCreateBuffer", code: -5, detail: "1024 bytes")
        XCTAssertEqual(e.symbolicName, "CL_OUT_OF_RESOURCES")
        XCTAssertEqual(e.description, "clCreateBuffer failed: CL_OUT_OF_RESOURCES (-5): 1024 bytes")
        XCTAssertTrue(e.isOutOfMemory)
        XCTAssertEqual(OpenCLError.symbolicName(-1017), "CLBlastInvalidDimension")
        XCTAssertEqual(OpenCLError.symbolicName(-54), "CL_INVALID_WORK_GROUP_SIZE")
        XCTAssertFalse(OpenCLError(call: "x", code: -46).isOutOfMemory)
    }

    func testBuildFailureCarriesCompilerLog() throws {
        let b = try openCLBackendForTests()
        XCTAssertThrowsError(try CLProgram(context: b.context, name: "broken.cl",
                                           source: "__kernel void f(__global float* x) { x[0] = undefined_name; }",
                                           options: "")) { error in
            guard let e = error as? OpenCLBuildError else { return XCTFail("expected OpenCLBuildError, got \(error)") }
            XCTAssertEqual(e.program, "broken.cl")
            XCTAssertTrue(e.options.contains("-cl-std=CL1.2"))
            XCTAssertTrue(e.log.contains("undefined_name"), "log: \(e.log)")
        }
    }

    func testEmbeddedKernelsBuild() throws {
        let b = try openCLBackendForTests()
        for file in ["gated.cl", "topk.cl"] {
            XCTAssertNoThrow(try CLProgram(context: b.context, name: file, options: b.tuning.compilerOptions))
        }
    }

    func testCLBlastParametersParseAndRefuseBadText() throws {
        let p = try CLBlastParameters(kernel: "Xgemm", parsing: "MWG=64, NWG=32,KWG=16")
        XCTAssertEqual(p.values, ["MWG": 64, "NWG": 32, "KWG": 16])
        for bad in ["", "MWG", "MWG=", "MWG=-1", "MWG=x", "=4", "MWG=4=5"] {
            XCTAssertThrowsError(try CLBlastParameters(kernel: "Xgemm", parsing: bad), bad) { e in
                XCTAssert("\(e)".hasPrefix("CLBlastOverrideParameters failed: CL_INVALID_VALUE"), "\(e)")
            }
        }
    }

    func testCLBlastOverrideFromTheEnvironment() throws {
        let b = try openCLBackendForTests()
        let text = "Xgemm:GEMMK=0,MWG=32,NWG=32,KWG=16,MDIMC=8,NDIMC=8,MDIMA=8,NDIMB=8,KWI=2,VWM=1,VWN=1,STRM=0,STRN=0,SA=0,SB=0,KREG=1"
            + ";GemmRoutine:XGEMM_MIN_INDIRECT_SIZE=64"
        let t = try OpenCLTuning.forDevice(b.device, environment: [OpenCLTuning.clblastVariable: text])
        XCTAssertEqual(t.clblast.map(\.kernel), ["Xgemm", "GemmRoutine"])
        XCTAssertEqual(t.clblast.first?.values["MWG"], 32)
        XCTAssertEqual(t.clblast.first?.values.count, 16)
        XCTAssertTrue(t.description.hasSuffix("CLBlast Xgemm GEMMK=0,KREG=1,KWG=16,KWI=2,MDIMA=8,MDIMC=8,MWG=32,NDIMB=8,"
            + "NDIMC=8,NWG=32,SA=0,SB=0,STRM=0,STRN=0,VWM=1,VWN=1; GemmRoutine XGEMM_MIN_INDIRECT_SIZE=64"), t.description)
        let plain = try OpenCLTuning.forDevice(b.device, environment: [OpenCLTuning.clblastVariable: "default"])
        XCTAssertEqual(plain.clblast, [])
        XCTAssertTrue(plain.description.hasSuffix(", CLBlast defaults"), plain.description)
        for bad in ["MWG=4", "Xgemm:MWG", ":MWG=4", "Xgemm:MWG=4;GemmRoutine"] {
            XCTAssertThrowsError(try OpenCLTuning.forDevice(b.device, environment: [OpenCLTuning.clblastVariable: bad]), bad)
        }
        // A parameter set CLBlast cannot use is refused by CLBlast with its call named.
        let wrong = try CLBlastParameters(kernel: "Xgemm", parsing: "MWG=64")
        XCTAssertThrowsError(try wrong.apply(to: b.device)) { e in
            XCTAssert("\(e)".hasPrefix("CLBlastOverrideParameters failed"), "\(e)")
        }
    }

    func testDeviceSelection() throws {
        let b = try openCLBackendForTests()
        let devices = try CLDevice.all()
        XCTAssertFalse(devices.isEmpty)
        XCTAssertEqual(try CLDevice.select("0").name, devices[0].name)
        XCTAssertEqual(try CLDevice.select(String(b.device.name.prefix(6)).uppercased()).name,
                       devices.first { $0.name.lowercased().contains(b.device.name.prefix(6).lowercased()) }?.name)
        XCTAssertThrowsError(try CLDevice.select("no-such-device-anywhere")) { e in
            XCTAssert("\(e)".contains("no OpenCL device matches"), "\(e)")
        }
        XCTAssertThrowsError(try CLDevice.select("99"))
    }

    func testOversizedBufferIsAnOutOfMemoryError() throws {
        let b = try openCLBackendForTests()
        let tooMany = Int(b.device.maxAllocationBytes / 4) + 1
        XCTAssertThrowsError(try b.makeBuffer(count: tooMany)) { e in
            XCTAssertTrue((e as? OpenCLError)?.isOutOfMemory ?? false, "\(e)")
        }
    }
}
