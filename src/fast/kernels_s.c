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
#include "kernels_impl.h"
