// OpenBLAS's CBLAS interface plus its introspection calls (core name, thread count).
#ifndef SPARSEIHT_CBLAS_SHIM_H
#define SPARSEIHT_CBLAS_SHIM_H
#include <cblas.h>
#endif
