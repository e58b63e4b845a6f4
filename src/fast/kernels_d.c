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
#include "kernels_impl.h"
