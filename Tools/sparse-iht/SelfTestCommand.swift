import ArgumentParser
import SparseIHTCore
import SparseIHTCPU
import SparseIHTOpenCL
import SparseIHTSelfTest
import SparseIHTTasks

struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check the OpenCL backend against the parity contract (the cases CI runs, from the binary).")

    @Option(help: "OpenCL device: gpu, cpu, an index or a name substring (default: $SPARSEIHT_DEVICE, else auto).")
    var device: String?
    @Option(name: .customLong("topk-size"), parsing: .unconditional,
            help: "Length of an extra large top-k check against the CPU, beyond the contract (default: none).",
            transform: Numeric.int(1, 1 << 28)) var topkSize: Int?

    func run() throws {
        let selector = BackendChoice.selector(device)
        let opencl = try OpenCLBackend(selector: selector)
        print("selftest: \(opencl.deviceDescription) against \(CPUBackend().deviceDescription)")
        let result = try SelfTest.run(reference: CPUBackend(), candidate: opencl, extraTopK: topkSize)
        for f in result.failures { print("FAIL \(f)") }
        print("\(result.passed) passed, \(result.failures.count) failed")
        if !result.failures.isEmpty { throw ExitCode(1) }
    }
}
