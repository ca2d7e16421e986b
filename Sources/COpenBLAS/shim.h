#include <stddef.h>
#include <cblas.h>

/* LAPACK's least-squares solver, inside libopenblas. Debian builds OpenBLAS without LAPACKE, so the
   Fortran symbol is declared here, with the hidden trailing length of the `trans` string. */
void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a, const int *lda,
            double *b, const int *ldb, double *work, const int *lwork, int *info, size_t trans_len);
