// The kernel gradient of convolutions with a thin window: AVX-512 with intrinsics, AVX2 and
// portable instantiated from conv_thin_template.h.
#include "conv_kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// AVX-512: for each block of 16 output channels, the k ≤ 16 rows of dw stay in registers
// while the pixels stream past (one cotangent load, k FMAs per pixel).
#define KST_THIN_TAPS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)

__attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,avx2")))
void kst_conv_weight_grad_thin_avx512(const float *x, const float *gy, const float *y, float *dw, float *db,
                                      const kst_conv_geom *g, int64_t cout, int64_t p0, int64_t p1) {
    const int64_t C = g->C, k = g->KH * g->KW * C, plane = g->OH * g->OW;
    int64_t offset[KST_THIN_MAX_TAPS];
    {
        int64_t t = 0;
        for (int64_t ky = 0; ky < g->KH; ky++)
            for (int64_t kx = 0; kx < g->KW; kx++)
                for (int64_t c = 0; c < C; c++, t++) offset[t] = (ky * g->DY * g->W + kx * g->DX) * C + c;
        for (; t < KST_THIN_MAX_TAPS; t++) offset[t] = 0;
    }
    float a[KST_THIN_MAX_TAPS];
    for (int64_t o0 = 0; o0 < cout; o0 += 16) {
        const __mmask16 lanes = cout - o0 >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (cout - o0)) - 1u);
#define TZ(t) __m512 acc##t = _mm512_setzero_ps();
        KST_THIN_TAPS(TZ)
        __m512 bias = _mm512_setzero_ps();
        int64_t n = p0 / plane, r = p0 % plane, oy = r / g->OW, ox = r % g->OW;
        for (int64_t p = p0; p < p1; p++) {
            __m512 gm = _mm512_maskz_loadu_ps(lanes, gy + (p - p0) * cout + o0);
            if (y) {
                const __m512 yv = _mm512_maskz_loadu_ps(lanes, y + (p - p0) * cout + o0);
                gm = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(yv, _mm512_setzero_ps(), _CMP_GT_OQ), gm);
            }
            bias = _mm512_add_ps(bias, gm);
            const int64_t iy0 = oy * g->SY - g->PT, ix0 = ox * g->SX - g->PL;
            const float *xs = x + n * g->H * g->W * C;
            if (iy0 >= 0 && ix0 >= 0 && iy0 + (g->KH - 1) * g->DY < g->H && ix0 + (g->KW - 1) * g->DX < g->W) {
                const float *base = xs + (iy0 * g->W + ix0) * C;
                for (int64_t t = 0; t < k; t++) a[t] = base[offset[t]];
            } else {
                int64_t t = 0;
                for (int64_t ky = 0; ky < g->KH; ky++) {
                    const int64_t iy = iy0 + ky * g->DY;
                    for (int64_t kx = 0; kx < g->KW; kx++) {
                        const int64_t ix = ix0 + kx * g->DX;
                        const int inside = iy >= 0 && iy < g->H && ix >= 0 && ix < g->W;
                        for (int64_t c = 0; c < C; c++, t++) a[t] = inside ? xs[(iy * g->W + ix) * C + c] : 0.0f;
                    }
                }
            }
#define TF(t) if (t < k) acc##t = _mm512_fmadd_ps(_mm512_set1_ps(a[t]), gm, acc##t);
            KST_THIN_TAPS(TF)
            if (++ox == g->OW) { ox = 0; if (++oy == g->OH) { oy = 0; n++; } }
        }
#define TS(t) if (t < k) { float *d = dw + t * cout + o0; \
            _mm512_mask_storeu_ps(d, lanes, _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, d), acc##t)); }
        KST_THIN_TAPS(TS)
        if (db) _mm512_mask_storeu_ps(db + o0, lanes, _mm512_add_ps(_mm512_maskz_loadu_ps(lanes, db + o0), bias));
#undef TZ
#undef TF
#undef TS
    }
}

#define TATTR __attribute__((target("avx2,fma")))
#define TSUF avx2
#include "conv_thin_template.h"
#undef TATTR
#undef TSUF
#define TATTR
#define TSUF portable
#include "conv_thin_template.h"
#else
#define TATTR
#define TSUF portable
#include "conv_thin_template.h"
void kst_conv_weight_grad_thin_avx512(const float *x, const float *gy, const float *y, float *dw, float *db,
                                      const kst_conv_geom *g, int64_t cout, int64_t p0, int64_t p1) {
    kst_conv_weight_grad_thin_portable(x, gy, y, dw, db, g, cout, p0, p1);
}
void kst_conv_weight_grad_thin_avx2(const float *x, const float *gy, const float *y, float *dw, float *db,
                                    const kst_conv_geom *g, int64_t cout, int64_t p0, int64_t p1) {
    kst_conv_weight_grad_thin_portable(x, gy, y, dw, db, g, cout, p0, p1);
}
#endif
