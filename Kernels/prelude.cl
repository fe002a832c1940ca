// Common prelude, prepended to every kernel file. Tunables arrive as -D values from the
// host (see OpenCLTuning.swift); the defaults below are used when a value is not given.
#ifndef WGS
#define WGS 256            // work-group size of the 1-D kernels
#endif
#define RADIX_BINS 256     // 8-bit digits in the top-k radix select

// Ordering key of hard thresholding: the float's bits with the sign cleared, monotone in
// |v| for every non-NaN value (-0.0 and 0.0 tie).
inline uint magnitude_key(float v) { return as_uint(v) & 0x7FFFFFFFu; }
