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

void kst_conv_window_panel(const float *x, const kst_conv_geom *g, int64_t p0, int64_t p1, int64_t t0, int64_t MR,
                           float *dst) {
    const int64_t C = g->C, k = g->KH * g->KW * C, plane = g->OH * g->OW;
    const int64_t t1 = t0 + MR < k ? t0 + MR : k;
    int64_t offset[64], ty[64], tx[64], tc[64];   // MR <= 64
    for (int64_t t = t0; t < t1; t++) {
        const int64_t c = t % C, kx = (t / C) % g->KW, ky = t / (C * g->KW);
        ty[t - t0] = ky * g->DY;
        tx[t - t0] = kx * g->DX;
        tc[t - t0] = c;
        offset[t - t0] = (ty[t - t0] * g->W + tx[t - t0]) * C + c;
    }
    int64_t n = p0 / plane, r = p0 % plane, oy = r / g->OW, ox = r % g->OW;
    for (int64_t p = p0; p < p1; p++) {
        float *d = dst + (p - p0) * MR;
        const int64_t iy0 = oy * g->SY - g->PT, ix0 = ox * g->SX - g->PL;
        const float *xs = x + n * g->H * g->W * C;
        if (iy0 >= 0 && ix0 >= 0 && iy0 + (g->KH - 1) * g->DY < g->H && ix0 + (g->KW - 1) * g->DX < g->W) {
            const float *base = xs + (iy0 * g->W + ix0) * C;
            for (int64_t t = 0; t < t1 - t0; t++) d[t] = base[offset[t]];
        } else {
            for (int64_t t = 0; t < t1 - t0; t++) {
                const int64_t iy = iy0 + ty[t], ix = ix0 + tx[t];
                d[t] = iy >= 0 && iy < g->H && ix >= 0 && ix < g->W ? xs[(iy * g->W + ix) * C + tc[t]] : 0.0f;
            }
        }
        for (int64_t t = t1 - t0; t < MR; t++) d[t] = 0.0f;
        if (++ox == g->OW) { ox = 0; if (++oy == g->OH) { oy = 0; n++; } }
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
