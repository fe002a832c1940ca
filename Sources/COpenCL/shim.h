// OpenCL 1.2 API surface: the kernels and host code target 1.2 (NVIDIA, AMD, Intel, PoCL).
#ifndef SPARSEIHT_COPENCL_SHIM_H
#define SPARSEIHT_COPENCL_SHIM_H
#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#endif
