// Pooling and ReLU-mask loops in three versions, instantiated from pool_template.h.
#include "conv_kernels.h"
#include <string.h>

// The clipped window of output pixel (oy, ox): rows [*y0, *y1), columns [*x0, *x1).
static inline void kst_pool_window(const kst_conv_geom *g, int64_t oy, int64_t ox, int64_t *y0, int64_t *y1,
                                   int64_t *x0, int64_t *x1) {
    const int64_t ty = oy * g->SY - g->PT, tx = ox * g->SX - g->PL;
    *y0 = ty < 0 ? 0 : ty;
    *y1 = ty + g->KH < g->H ? ty + g->KH : g->H;
    *x0 = tx < 0 ? 0 : tx;
    *x1 = tx + g->KW < g->W ? tx + g->KW : g->W;
}

#if defined(__x86_64__) || defined(__i386__)
#define PATTR __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,avx2")))
#define PSUF avx512
#include "pool_template.h"
#undef PATTR
#undef PSUF
#define PATTR __attribute__((target("avx2,fma")))
#define PSUF avx2
#include "pool_template.h"
#undef PATTR
#undef PSUF
#define PATTR
#define PSUF portable
#include "pool_template.h"
#else
#define PATTR
#define PSUF portable
#include "pool_template.h"
#define KST_POOL_ALIAS(NAME, ARGS, CALL) void NAME##avx512 ARGS { NAME##portable CALL; } void NAME##avx2 ARGS { NAME##portable CALL; }
KST_POOL_ALIAS(kst_relu_mask_, (const float *y, const float *g, float *out, int64_t n), (y, g, out, n))
KST_POOL_ALIAS(kst_add_columns_, (const float *m, int64_t rows, int64_t cols, float *acc), (m, rows, cols, acc))
KST_POOL_ALIAS(kst_maxpool_forward_, (const float *x, float *y, int32_t *arg, const kst_conv_geom *g, int64_t n0, int64_t n1),
               (x, y, arg, g, n0, n1))
KST_POOL_ALIAS(kst_maxpool_backward_, (const int32_t *arg, const float *gy, float *dx, const kst_conv_geom *g, int64_t n0, int64_t n1),
               (arg, gy, dx, g, n0, n1))
#endif
