/* resjac fast core: float32 instances of the kernels (kernels_impl.h). */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <cblas.h>
#include "fast_internal.h"

#define T float
#define SFX s
#define GEMM cblas_sgemm
#define TANH tanhf
#define EXP expf
#define SQRT sqrtf
#define ERF erff
#define LOG1P log1pf
#define EXPM1 expm1f
#include "kernels_impl.h"
