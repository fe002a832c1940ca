// zlib, for gzip-compressed IDX and CSV files.
#ifndef SPARSEIHT_CZLIB_SHIM_H
#define SPARSEIHT_CZLIB_SHIM_H
#include <zlib.h>
#endif
