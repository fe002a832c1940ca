import ArgumentParser
import SparseIHTTasks

/// `devices` and `selftest`: the backends this machine offers.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List OpenCL devices and the CPU backend.")

    func run() throws { try CommandRuns.devices { print($0) } }
}

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
        if try !CommandRuns.selfTest(device: device, extraTopK: topkSize, line: { print($0) }) { throw ExitCode(1) }
    }
}
