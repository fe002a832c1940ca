// CLBlast's C API on top of the OpenCL 1.2 headers.
#ifndef SPARSEIHT_CCLBLAST_SHIM_H
#define SPARSEIHT_CCLBLAST_SHIM_H
#define CL_TARGET_OPENCL_VERSION 120
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <clblast_c.h>
#endif
