#include "conv_kernels.h"
#include <string.h>

void kst_relu_mask(const float *restrict y, const float *restrict g, float *restrict out, int64_t n) {
    // Both operands are loaded unconditionally so the select vectorises.
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i];
        out[i] = y[i] > 0 ? gi : 0.0f;
    }
}

void kst_add_columns(const float *restrict m, int64_t rows, int64_t cols, float *restrict acc) {
    for (int64_t r = 0; r < rows; r++) {
        const float *row = m + r * cols;
        for (int64_t j = 0; j < cols; j++) acc[j] += row[j];
    }
}

// The clipped window of output pixel (oy, ox): rows [*y0, *y1), columns [*x0, *x1).
static inline void window(const kst_conv_geom *g, int64_t oy, int64_t ox, int64_t *y0, int64_t *y1, int64_t *x0, int64_t *x1) {
    const int64_t ty = oy * g->SY - g->PT, tx = ox * g->SX - g->PL;
    *y0 = ty < 0 ? 0 : ty;
    *y1 = ty + g->KH < g->H ? ty + g->KH : g->H;
    *x0 = tx < 0 ? 0 : tx;
    *x1 = tx + g->KW < g->W ? tx + g->KW : g->W;
}

void kst_maxpool_forward(const float *x, float *y, const kst_conv_geom *g, int64_t n0, int64_t n1) {
    const int64_t C = g->C, W = g->W;
    for (int64_t n = n0; n < n1; n++) {
        const float *xs = x + n * g->H * W * C;
        for (int64_t oy = 0; oy < g->OH; oy++) {
            for (int64_t ox = 0; ox < g->OW; ox++) {
                float *restrict out = y + ((n * g->OH + oy) * g->OW + ox) * C;
                int64_t y0, y1, x0, x1;
                window(g, oy, ox, &y0, &y1, &x0, &x1);
                memcpy(out, xs + (y0 * W + x0) * C, (size_t)C * sizeof(float));
                for (int64_t iy = y0; iy < y1; iy++)
                    for (int64_t ix = x0; ix < x1; ix++) {
                        const float *restrict xp = xs + (iy * W + ix) * C;
                        for (int64_t j = 0; j < C; j++) out[j] = xp[j] > out[j] ? xp[j] : out[j];
                    }
            }
        }
    }
}

void kst_maxpool_backward(const float *x, const float *y, const float *gy, float *dx, const kst_conv_geom *g,
                          int64_t n0, int64_t n1) {
    const int64_t C = g->C, W = g->W, plane = g->H * W * C;
    float remaining[256];
    for (int64_t n = n0; n < n1; n++) {
        const float *xs = x + n * plane;
        float *ds = dx + n * plane;
        memset(ds, 0, (size_t)plane * sizeof(float));
        for (int64_t oy = 0; oy < g->OH; oy++) {
            for (int64_t ox = 0; ox < g->OW; ox++) {
                const int64_t o = ((n * g->OH + oy) * g->OW + ox) * C;
                int64_t y0, y1, x0, x1;
                window(g, oy, ox, &y0, &y1, &x0, &x1);
                for (int64_t c0 = 0; c0 < C; c0 += 256) {
                    const int64_t cn = C - c0 < 256 ? C - c0 : 256;
                    const float *restrict ym = y + o + c0;
                    memcpy(remaining, gy + o + c0, (size_t)cn * sizeof(float));
                    // Walk the window in order; the first cell equal to the maximum takes
                    // the whole cotangent, later equal cells get nothing.
                    for (int64_t iy = y0; iy < y1; iy++)
                        for (int64_t ix = x0; ix < x1; ix++) {
                            const float *restrict xp = xs + (iy * W + ix) * C + c0;
                            float *restrict dp = ds + (iy * W + ix) * C + c0;
                            for (int64_t j = 0; j < cn; j++) {
                                const float r = remaining[j], d = dp[j];
                                const int hit = xp[j] == ym[j];
                                dp[j] = d + (hit ? r : 0.0f);
                                remaining[j] = hit ? 0.0f : r;
                            }
                        }
                }
            }
        }
    }
}
