#include "conv_kernels.h"
#include <immintrin.h>
#include <string.h>

#define KST_AVX2_ATTR __attribute__((target("avx2,fma")))

// Output pixels per register block: 6 pixels x 2 channel groups, or 12 x 1.
enum { KST_PX_MAX = 12 };

static int64_t padded_width(const kst_conv_geom *g) {
    return (g->OW - 1) * g->SX + (g->KW - 1) * g->DX + 1 + (KST_PX_MAX - 1) * g->SX;
}

static int64_t padded_height(const kst_conv_geom *g) {
    return (g->OH - 1) * g->SY + (g->KH - 1) * g->DY + 1;
}

// Zero-padded copy of sample n: input (iy, ix) at padded (iy + PT, ix + PL), WP x HP pixels.
static void pad_sample(const float *x, int64_t n, const kst_conv_geom *g, float *xp, int64_t WP, int64_t HP) {
    const int64_t C = g->C, H = g->H, W = g->W;
    memset(xp, 0, (size_t)(HP * WP * C) * sizeof(float));
    for (int64_t iy = 0; iy < H; iy++) {
        const int64_t py = iy + g->PT;
        if (py >= HP) break;
        int64_t ixe = W < WP - g->PL ? W : WP - g->PL;
        if (ixe > 0)
            memcpy(xp + (py * WP + g->PL) * C, x + ((n * H + iy) * W) * C, (size_t)(ixe * C) * sizeof(float));
    }
}

int64_t kst_conv_direct_scratch(const kst_conv_geom *g, int64_t cout) {
    const int64_t cpad = (cout + 7) / 8 * 8;
    return padded_height(g) * padded_width(g) * g->C + g->KH * g->KW * g->C * cpad + 2 * cpad;
}

// One register block: PX output pixels (ox0 ..< ox0+PX of row oy) x CB groups of 8 channels
// from channel o0, read from the padded sample xp (row stride WP*C). Stores npx pixels.
#define KST_DIRECT_BLOCK(NAME, PX, CB)                                                                   \
KST_AVX2_ATTR static inline void NAME(const float *xp, int64_t WP, const float *wp, int64_t cpad,         \
                                      const float *bp, int relu, float *yrow, const kst_conv_geom *g,     \
                                      int64_t cout, int64_t oy, int64_t ox0, int64_t npx, int64_t o0,     \
                                      __m256i tail) {                                                     \
    __m256 acc[PX][CB];                                                                                  \
    _Pragma("clang loop unroll(full)")                                                                   \
    for (int b = 0; b < CB; b++) {                                                                       \
        __m256 bv = _mm256_loadu_ps(bp + o0 + 8 * b);                                                   \
        _Pragma("clang loop unroll(full)")                                                               \
        for (int j = 0; j < PX; j++) acc[j][b] = bv;                                                    \
    }                                                                                                    \
    const int64_t C = g->C, sxc = g->SX * C;                                                             \
    /* Undilated columns: a kernel row's (kx, c) taps are contiguous in both the padded input */         \
    /* and the weights, so they run as one loop of KW*C (few channels: not a loop of one). */            \
    const int64_t taps = g->DX == 1 ? g->KW * C : C, columns = g->DX == 1 ? 1 : g->KW;                  \
    for (int64_t ky = 0; ky < g->KH; ky++) {                                                             \
        const float *xr = xp + ((oy * g->SY + ky * g->DY) * WP + ox0 * g->SX) * C;                       \
        for (int64_t kx = 0; kx < columns; kx++) {                                                       \
            const float *xk = xr + kx * g->DX * C;                                                       \
            const float *wk = wp + ((ky * g->KW + kx) * C) * cpad + o0;                                  \
            for (int64_t c = 0; c < taps; c++) {                                                         \
                __m256 wv[CB];                                                                           \
                _Pragma("clang loop unroll(full)")                                                       \
                for (int b = 0; b < CB; b++) wv[b] = _mm256_loadu_ps(wk + c * cpad + 8 * b);            \
                _Pragma("clang loop unroll(full)")                                                       \
                for (int j = 0; j < PX; j++) {                                                           \
                    __m256 xv = _mm256_broadcast_ss(xk + j * sxc + c);                                   \
                    _Pragma("clang loop unroll(full)")                                                   \
                    for (int b = 0; b < CB; b++) acc[j][b] = _mm256_fmadd_ps(xv, wv[b], acc[j][b]);     \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
    }                                                                                                    \
    const __m256 zero = _mm256_setzero_ps();                                                             \
    _Pragma("clang loop unroll(full)")                                                                   \
    for (int j = 0; j < PX; j++) {                                                                       \
        if (j >= npx) break;                                                                             \
        _Pragma("clang loop unroll(full)")                                                               \
        for (int b = 0; b < CB; b++) {                                                                   \
            __m256 v = relu ? _mm256_max_ps(acc[j][b], zero) : acc[j][b];                               \
            float *dst = yrow + (ox0 + j) * cout + o0 + 8 * b;                                           \
            if (o0 + 8 * b + 8 <= cout) _mm256_storeu_ps(dst, v);                                        \
            else _mm256_maskstore_ps(dst, tail, v);                                                      \
        }                                                                                                \
    }                                                                                                    \
}

KST_DIRECT_BLOCK(kst_direct_6x2, 6, 2)
KST_DIRECT_BLOCK(kst_direct_5x2, 5, 2)
KST_DIRECT_BLOCK(kst_direct_4x2, 4, 2)
KST_DIRECT_BLOCK(kst_direct_3x2, 3, 2)
KST_DIRECT_BLOCK(kst_direct_2x2, 2, 2)
KST_DIRECT_BLOCK(kst_direct_1x2, 1, 2)
KST_DIRECT_BLOCK(kst_direct_12x1, 12, 1)
KST_DIRECT_BLOCK(kst_direct_8x1, 8, 1)
KST_DIRECT_BLOCK(kst_direct_4x1, 4, 1)

// Lane masks for the last, partial group of output channels.
static const int32_t kst_mask_table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};

KST_AVX2_ATTR
void kst_conv_direct_avx2(const float *x, const float *w, const float *bias, int relu, float *y,
                          const kst_conv_geom *g, int64_t cout, int64_t n0, int64_t n1, float *scratch) {
    const int64_t C = g->C, H = g->H, W = g->W;
    const int64_t cpad = (cout + 7) / 8 * 8;
    const int64_t WP = padded_width(g), HP = padded_height(g);
    float *xp = scratch;
    float *wp = xp + HP * WP * C;
    float *bp = wp + g->KH * g->KW * C * cpad;
    // Weights with cout padded to whole groups of 8; bias likewise.
    for (int64_t i = 0; i < g->KH * g->KW * C; i++) {
        memcpy(wp + i * cpad, w + i * cout, (size_t)cout * sizeof(float));
        memset(wp + i * cpad + cout, 0, (size_t)(cpad - cout) * sizeof(float));
    }
    memset(bp, 0, (size_t)cpad * sizeof(float));
    if (bias) memcpy(bp, bias, (size_t)cout * sizeof(float));
    const int64_t rem = cout % 8;
    const __m256i tail = _mm256_loadu_si256((const __m256i *)(kst_mask_table + 8 - (rem ? rem : 8)));
    for (int64_t n = n0; n < n1; n++) {
        pad_sample(x, n, g, xp, WP, HP);
        for (int64_t oy = 0; oy < g->OH; oy++) {
            float *yrow = y + ((n * g->OH + oy) * g->OW) * cout;
            int64_t o0 = 0;
            // The last block of a row uses a kernel sized to the pixels left, so no lanes of
            // FMAs go to pixels that are not stored.
            for (; o0 + 16 <= cpad; o0 += 16)
                for (int64_t ox = 0; ox < g->OW; ox += 6) {
                    const int64_t n = g->OW - ox;
#define KST_CALL(F) F(xp, WP, wp, cpad, bp, relu, yrow, g, cout, oy, ox, n, o0, tail)
                    switch (n >= 6 ? 6 : n) {
                    case 6: KST_CALL(kst_direct_6x2); break;
                    case 5: KST_CALL(kst_direct_5x2); break;
                    case 4: KST_CALL(kst_direct_4x2); break;
                    case 3: KST_CALL(kst_direct_3x2); break;
                    case 2: KST_CALL(kst_direct_2x2); break;
                    default: KST_CALL(kst_direct_1x2); break;
                    }
                }
            for (; o0 < cpad; o0 += 8)
                for (int64_t ox = 0; ox < g->OW; ox += 12) {
                    const int64_t n = g->OW - ox;
                    if (n > 8) KST_CALL(kst_direct_12x1);
                    else if (n > 4) KST_CALL(kst_direct_8x1);
                    else KST_CALL(kst_direct_4x1);
#undef KST_CALL
                }
        }
    }
}

KST_AVX2_ATTR
void kst_conv_weight_grad_direct_avx2(const float *x, const float *gy, float *dw, const kst_conv_geom *g, int64_t cout,
                                      int64_t n0, int64_t n1, float *scratch) {
    const int64_t C = g->C;
    const int64_t WP = padded_width(g), HP = padded_height(g);
    float *xp = scratch;
    const int64_t rem = cout % 8;
    const __m256i tail = _mm256_loadu_si256((const __m256i *)(kst_mask_table + 8 - (rem ? rem : 8)));
    for (int64_t n = n0; n < n1; n++) {
        pad_sample(x, n, g, xp, WP, HP);
        const float *gs = gy + n * g->OH * g->OW * cout;
        for (int64_t ky = 0; ky < g->KH; ky++)
        for (int64_t kx = 0; kx < g->KW; kx++)
        for (int64_t c0 = 0; c0 < C; c0 += 8) {
            const int64_t cb = C - c0 < 8 ? C - c0 : 8;
            for (int64_t o0 = 0; o0 < cout; o0 += 8) {
                const int full = o0 + 8 <= cout;
                __m256 acc[8];
                for (int c = 0; c < 8; c++) acc[c] = _mm256_setzero_ps();
                for (int64_t oy = 0; oy < g->OH; oy++) {
                    const float *xr = xp + ((oy * g->SY + ky * g->DY) * WP + kx * g->DX) * C + c0;
                    const float *gr = gs + oy * g->OW * cout + o0;
                    for (int64_t ox = 0; ox < g->OW; ox++) {
                        const __m256 gv = full ? _mm256_loadu_ps(gr + ox * cout) : _mm256_maskload_ps(gr + ox * cout, tail);
                        const float *xv = xr + ox * g->SX * C;
                        if (cb == 8) {
                            for (int c = 0; c < 8; c++) acc[c] = _mm256_fmadd_ps(_mm256_broadcast_ss(xv + c), gv, acc[c]);
                        } else {
                            for (int c = 0; c < cb; c++) acc[c] = _mm256_fmadd_ps(_mm256_broadcast_ss(xv + c), gv, acc[c]);
                        }
                    }
                }
                float *dst = dw + ((ky * g->KW + kx) * C + c0) * cout + o0;
                for (int c = 0; c < cb; c++) {
                    if (full) _mm256_storeu_ps(dst + c * cout, _mm256_add_ps(_mm256_loadu_ps(dst + c * cout), acc[c]));
                    else _mm256_maskstore_ps(dst + c * cout, tail, _mm256_add_ps(_mm256_maskload_ps(dst + c * cout, tail), acc[c]));
                }
            }
        }
    }
}
