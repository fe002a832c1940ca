import COpenCL
import SparseIHTCore

extension OpenCLBackend {
    /// Radix-select top-k on the device (`Kernels/topk.cl`): four histogram/select passes,
    /// a count, a scan and a stable compaction; only the `k` results and a 5-word state
    /// come back to the host.
    public func topK(_ buffer: CLBuffer<Float>, count: Int, k: Int) throws -> TopKResult {
        try requireCapacity(buffer, count, "top-k input")
        guard k >= 0 else { throw SparseIHTError.invalidArgument("top-k with k = \(k) < 0") }
        let keep = min(k, count)
        guard keep > 0 else {
            // Still reject non-finite input, as the CPU backend does.
            if count > 0 { try checkFinite(buffer, count: count) }
            return .empty
        }
        let wgs = tuning.workGroupSize
        let groups = max(1, min(tuning.topKGroups, (count + wgs - 1) / wgs))
        let state = try scratchUInt("topk.state", 8)
        let partials = try scratchUInt("topk.partials", groups * 256)
        try state.write([0, 0, UInt32(keep), 0, 0, 0, 0, 0], queue: queue)
        let n = UInt32(count), g = UInt32(groups)
        for shift in stride(from: 24, through: 0, by: -8) {
            try run("radix_histogram", in: "topk.cl", global: groups * wgs,
                    [buffer.arg, .uint(n), .uint(g), state.arg, partials.arg, .uint(UInt32(shift))])
            try run("radix_select", in: "topk.cl", global: 256, local: 256,
                    [partials.arg, .uint(g), state.arg, .uint(UInt32(shift))])
        }
        try run("select_count", in: "topk.cl", global: groups * wgs,
                [buffer.arg, .uint(n), .uint(g), state.arg, partials.arg])
        try run("select_scan", in: "topk.cl", global: 1, local: 1, [partials.arg, .uint(g), state.arg])
        let outIdx = try scratchIndices(keep), outVal = try scratchValues(keep)
        try run("select_compact", in: "topk.cl", global: groups * wgs,
                [buffer.arg, .uint(n), .uint(g), state.arg, partials.arg, outIdx.arg, outVal.arg])
        let st = try state.read(count: 5, queue: queue)
        if st[3] != 0 { try checkFinite(buffer, count: count) }
        guard Int(st[4]) == keep else {
            throw OpenCLError(call: "select_compact", code: CL_INVALID_VALUE,
                              detail: "kept \(st[4]) entries, expected \(keep) (device top-k inconsistent)")
        }
        return TopKResult(indices: try outIdx.read(count: keep, queue: queue),
                          values: try outVal.read(count: keep, queue: queue))
    }

    /// Finds the first non-finite entry (host side; only on the error path or k = 0) and
    /// throws `SparseIHTError.nonFinite` naming it.
    private func checkFinite(_ buffer: CLBuffer<Float>, count: Int) throws {
        try requireFinite(try buffer.read(count: count, queue: queue), "top-k input")
    }
}
