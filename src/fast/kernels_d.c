/* resjac fast core: float64 instances of the kernels (kernels_impl.h). */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <cblas.h>
#include "fast_internal.h"

#define T double
#define SFX d
#define GEMM cblas_dgemm
#define TANH tanh
#define EXP exp
#define SQRT sqrt
#define ERF erf
#define LOG1P log1p
#define EXPM1 expm1
#include "kernels_impl.h"
