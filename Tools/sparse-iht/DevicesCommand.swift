import ArgumentParser
import SparseIHTCPU
import SparseIHTOpenCL

struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List OpenCL devices and the CPU backend.")

    func run() throws {
        let core = CPUBackend.openBLASCore
        print("cpu backend: OpenBLAS core \(core.name), OPENBLAS_CORETYPE=\(core.coretypeOverride ?? "unset")")
        let devices = try CLDevice.all()
        if devices.isEmpty {
            print("opencl: no platform found (install pocl-opencl-icd or a GPU driver)")
        }
        for dev in devices {
            print("opencl \(dev.description); max allocation \(dev.maxAllocationBytes >> 20) MiB, max work-group \(dev.maxWorkGroupSize)")
        }
    }
}
