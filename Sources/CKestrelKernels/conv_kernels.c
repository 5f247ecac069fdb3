#include "conv_kernels.h"
#include <string.h>

void kst_im2col_nhwc(const float *x, const kst_conv_geom *g, int64_t p0, int64_t p1, float *col) {
    const int64_t H = g->H, W = g->W, C = g->C, KH = g->KH, KW = g->KW;
    const int64_t plane = g->OH * g->OW, K = KH * KW * C;
    for (int64_t p = p0; p < p1; p++) {
        const int64_t n = p / plane, r = p % plane, oy = r / g->OW, ox = r % g->OW;
        const float *xs = x + n * H * W * C;
        float *row = col + (p - p0) * K;
        const int64_t iy0 = oy * g->SY - g->PT, ix0 = ox * g->SX - g->PL;
        for (int64_t ky = 0; ky < KH; ky++) {
            const int64_t iy = iy0 + ky * g->DY;
            float *dst = row + ky * KW * C;
            if (iy < 0 || iy >= H) { memset(dst, 0, (size_t)(KW * C) * sizeof(float)); continue; }
            const float *src = xs + iy * W * C;
            if (g->DX == 1 && ix0 >= 0 && ix0 + KW <= W) {
                memcpy(dst, src + ix0 * C, (size_t)(KW * C) * sizeof(float));
                continue;
            }
            for (int64_t kx = 0; kx < KW; kx++) {
                const int64_t ix = ix0 + kx * g->DX;
                if (ix < 0 || ix >= W) memset(dst + kx * C, 0, (size_t)C * sizeof(float));
                else memcpy(dst + kx * C, src + ix * C, (size_t)C * sizeof(float));
            }
        }
    }
}

static inline void add_run(float *restrict dst, const float *restrict src, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] += src[i];
}

void kst_col2im_nhwc(const float *col, const kst_conv_geom *g, int64_t p0, int64_t p1, float *dx) {
    const int64_t H = g->H, W = g->W, C = g->C, KH = g->KH, KW = g->KW;
    const int64_t plane = g->OH * g->OW, K = KH * KW * C;
    for (int64_t p = p0; p < p1; p++) {
        const int64_t n = p / plane, r = p % plane, oy = r / g->OW, ox = r % g->OW;
        float *xs = dx + n * H * W * C;
        const float *row = col + (p - p0) * K;
        const int64_t iy0 = oy * g->SY - g->PT, ix0 = ox * g->SX - g->PL;
        for (int64_t ky = 0; ky < KH; ky++) {
            const int64_t iy = iy0 + ky * g->DY;
            if (iy < 0 || iy >= H) continue;
            const float *src = row + ky * KW * C;
            float *dst = xs + iy * W * C;
            if (g->DX == 1 && ix0 >= 0 && ix0 + KW <= W) {
                add_run(dst + ix0 * C, src, KW * C);
                continue;
            }
            for (int64_t kx = 0; kx < KW; kx++) {
                const int64_t ix = ix0 + kx * g->DX;
                if (ix >= 0 && ix < W) add_run(dst + ix * C, src + kx * C, C);
            }
        }
    }
}
