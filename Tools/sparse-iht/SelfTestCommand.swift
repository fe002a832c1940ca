import ArgumentParser
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL
import SparseIHTSelfTest
import SparseIHTTasks

struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check the OpenCL backend against the CPU backend (the parity checks, from the binary).")

    @Option(help: "OpenCL device: gpu, cpu, an index or a name substring (default: $SPARSEIHT_DEVICE, else auto).")
    var device: String?
    @Option(name: .customLong("topk-size"), help: "Length of the large top-k check.") var topkSize: Int = 1 << 20

    func run() throws {
        let selector = BackendChoice.selector(device)
        let opencl = try OpenCLBackend(selector: selector)
        print("selftest: \(opencl.deviceDescription) against \(CPUBackend().deviceDescription)")
        let result = try SelfTest.run(reference: CPUBackend(), candidate: opencl, largeTopK: topkSize)
        for f in result.failures { print("FAIL \(f)") }
        print("\(result.passed) passed, \(result.failures.count) failed")
        if !result.failures.isEmpty { throw ExitCode(1) }
    }
}
