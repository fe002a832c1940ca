import CCLBlast
import COpenCL

/// Row-major SGEMM through CLBlast on `queue`: `c (m x n) = alpha op(a) op(b) + beta c`.
/// Offsets are in floats. Statuses map into `OpenCLError` (CLBlast shares OpenCL's codes
/// above -1000 and has its own below).
func clblastSgemm(queue: CLQueue, transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
                  alpha: Float, a: cl_mem, aOffset: Int = 0, b: cl_mem, bOffset: Int = 0,
                  beta: Float, c: cl_mem, cOffset: Int = 0) throws {
    var q: cl_command_queue? = queue.handle
    let status = CLBlastSgemm(CLBlastLayoutRowMajor,
                              transA ? CLBlastTransposeYes : CLBlastTransposeNo,
                              transB ? CLBlastTransposeYes : CLBlastTransposeNo,
                              m, n, k, alpha,
                              a, aOffset, transA ? m : k,
                              b, bOffset, transB ? k : n,
                              beta, c, cOffset, n, &q, nil)
    if status != CLBlastSuccess {
        throw OpenCLError(call: "CLBlastSgemm", code: status.rawValue, detail: "m \(m) n \(n) k \(k)")
    }
}
