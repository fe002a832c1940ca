// OpenBLAS's CBLAS interface plus its introspection calls (core name, thread count), and
// the one LAPACK routine SparseIHT uses (OpenBLAS ships LAPACK; Debian has no lapacke.h
// in libopenblas-dev, so the Fortran symbol is declared here).
#ifndef SPARSEIHT_CBLAS_SHIM_H
#define SPARSEIHT_CBLAS_SHIM_H
#include <cblas.h>

/// Eigenvalues (jobz = 'N') of a symmetric n x n matrix (column-major, upper or lower).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
            double *w, double *work, const int *lwork, int *info);
#endif
