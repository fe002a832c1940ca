import COpenCL
import SparseIHTCore

/// One OpenCL device as discovered: its platform, ids and the properties SparseIHT uses.
/// Root device ids need no release in OpenCL 1.2, so this is a plain value.
public struct CLDevice: @unchecked Sendable, CustomStringConvertible {
    /// Position in `CLDevice.all()` (platform order, then device order).
    public let index: Int
    public let platformName: String
    public let name: String
    /// `gpu`, `cpu`, `accelerator` or `other`.
    public let type: String
    /// Global memory in bytes.
    public let globalMemoryBytes: UInt64
    /// Largest single allocation in bytes (a quarter of memory on NVIDIA).
    public let maxAllocationBytes: UInt64
    /// Largest work-group size.
    public let maxWorkGroupSize: Int
    /// Local memory per work-group in bytes.
    public let localMemoryBytes: UInt64
    public let computeUnits: Int
    public let openCLVersion: String
    let platformID: cl_platform_id
    let deviceID: cl_device_id

    public var description: String {
        "[\(index)] \(name) (\(type), \(platformName), \(globalMemoryBytes >> 20) MiB, \(computeUnits) CUs, \(openCLVersion))"
    }

    /// Every device of every platform. Returns an empty array when no OpenCL platform is
    /// installed (no ICD, or no driver behind it).
    public static func all() throws -> [CLDevice] {
        var platformCount: cl_uint = 0
        let status = clGetPlatformIDs(0, nil, &platformCount)
        if status == -1001 || platformCount == 0 { return [] }
        try check(status, "clGetPlatformIDs")
        var platforms = [cl_platform_id?](repeating: nil, count: Int(platformCount))
        try check(clGetPlatformIDs(platformCount, &platforms, nil), "clGetPlatformIDs")
        var devices: [CLDevice] = []
        for case let platform? in platforms {
            let platformName = try platformString(platform, cl_platform_info(CL_PLATFORM_NAME))
            var count: cl_uint = 0
            let st = clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), 0, nil, &count)
            if st == CL_DEVICE_NOT_FOUND || count == 0 { continue }
            try check(st, "clGetDeviceIDs")
            var ids = [cl_device_id?](repeating: nil, count: Int(count))
            try check(clGetDeviceIDs(platform, cl_device_type(CL_DEVICE_TYPE_ALL), count, &ids, nil), "clGetDeviceIDs")
            for case let id? in ids {
                let t: cl_device_type = try deviceValue(id, CL_DEVICE_TYPE)
                let typeName = t & cl_device_type(CL_DEVICE_TYPE_GPU) != 0 ? "gpu"
                    : t & cl_device_type(CL_DEVICE_TYPE_CPU) != 0 ? "cpu"
                    : t & cl_device_type(CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "accelerator" : "other"
                let cus: cl_uint = try deviceValue(id, CL_DEVICE_MAX_COMPUTE_UNITS)
                let wgs: Int = try deviceValue(id, CL_DEVICE_MAX_WORK_GROUP_SIZE)
                devices.append(CLDevice(
                    index: devices.count, platformName: platformName,
                    name: try deviceString(id, CL_DEVICE_NAME), type: typeName,
                    globalMemoryBytes: try deviceValue(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                    maxAllocationBytes: try deviceValue(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                    maxWorkGroupSize: wgs,
                    localMemoryBytes: try deviceValue(id, CL_DEVICE_LOCAL_MEM_SIZE),
                    computeUnits: Int(cus),
                    openCLVersion: try deviceString(id, CL_DEVICE_VERSION),
                    platformID: platform, deviceID: id))
            }
        }
        return devices
    }

    /// Picks a device by a selector: `gpu`, `cpu` (first of that type), a decimal index
    /// into `all()`, or a case-insensitive substring of the device or platform name.
    /// `auto` or empty prefers a GPU, then any device.
    /// - Throws: `SparseIHTError.backendUnavailable` when nothing matches.
    public static func select(_ selector: String) throws -> CLDevice {
        let devices = try all()
        guard !devices.isEmpty else {
            throw SparseIHTError.backendUnavailable(
                "no OpenCL platform found (install an ICD such as pocl-opencl-icd, or a GPU driver; OCL_ICD_VENDORS=\(getenvString("OCL_ICD_VENDORS") ?? "unset"))")
        }
        let s = selector.lowercased()
        let found: CLDevice?
        switch s {
        case "", "auto": found = devices.first { $0.type == "gpu" } ?? devices.first
        case "gpu", "cpu", "accelerator": found = devices.first { $0.type == s }
        default:
            if let i = Int(s) { found = devices.indices.contains(i) ? devices[i] : nil }
            else { found = devices.first { $0.name.lowercased().contains(s) || $0.platformName.lowercased().contains(s) } }
        }
        guard let device = found else {
            throw SparseIHTError.backendUnavailable(
                "no OpenCL device matches '\(selector)'; devices: " + devices.map(\.description).joined(separator: "; "))
        }
        return device
    }
}

private func platformString(_ p: cl_platform_id, _ what: cl_platform_info) throws -> String {
    var size = 0
    try check(clGetPlatformInfo(p, what, 0, nil, &size), "clGetPlatformInfo")
    var bytes = [CChar](repeating: 0, count: size + 1)
    try check(clGetPlatformInfo(p, what, size, &bytes, nil), "clGetPlatformInfo")
    return stringFromCChars(bytes).trimmingCharacters()
}

private func deviceString(_ d: cl_device_id, _ what: Int32) throws -> String {
    var size = 0
    try check(clGetDeviceInfo(d, cl_device_info(what), 0, nil, &size), "clGetDeviceInfo")
    var bytes = [CChar](repeating: 0, count: size + 1)
    try check(clGetDeviceInfo(d, cl_device_info(what), size, &bytes, nil), "clGetDeviceInfo")
    return stringFromCChars(bytes).trimmingCharacters()
}

private func deviceValue<T>(_ d: cl_device_id, _ what: Int32) throws -> T where T: FixedWidthInteger {
    var value = T.zero
    try check(clGetDeviceInfo(d, cl_device_info(what), MemoryLayout<T>.size, &value, nil), "clGetDeviceInfo")
    return value
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var s = Substring(self)
        while let c = s.last, c == " " || c == "\0" || c == "\n" { s.removeLast() }
        while let c = s.first, c == " " { s.removeFirst() }
        return String(s)
    }
}
