// Template for the channels-last pooling and ReLU-mask loops; included by pool_kernels.c once
// per ISA with PATTR (target attribute) and PSUF (name suffix) defined, so the compiler
// vectorises the same plain loops for AVX-512, AVX2 and baseline x86 / other CPUs.
// Not a public header.

#define KST_PCAT2(a, b) a##b
#define KST_PCAT(a, b) KST_PCAT2(a, b)

PATTR void KST_PCAT(kst_relu_mask_, PSUF)(const float *restrict y, const float *restrict g, float *restrict out, int64_t n) {
    // Both operands are loaded unconditionally so the select vectorises.
    for (int64_t i = 0; i < n; i++) {
        const float gi = g[i];
        out[i] = y[i] > 0 ? gi : 0.0f;
    }
}

PATTR void KST_PCAT(kst_add_columns_, PSUF)(const float *restrict m, int64_t rows, int64_t cols, float *restrict acc) {
    for (int64_t r = 0; r < rows; r++) {
        const float *restrict row = m + r * cols;
        for (int64_t j = 0; j < cols; j++) acc[j] += row[j];
    }
}

PATTR void KST_PCAT(kst_maxpool_forward_, PSUF)(const float *x, float *y, int32_t *arg, const kst_conv_geom *g,
                                               int64_t n0, int64_t n1) {
    const int64_t C = g->C, W = g->W;
    for (int64_t n = n0; n < n1; n++) {
        const float *xs = x + n * g->H * W * C;
        for (int64_t oy = 0; oy < g->OH; oy++) {
            for (int64_t ox = 0; ox < g->OW; ox++) {
                const int64_t o = ((n * g->OH + oy) * g->OW + ox) * C;
                float *restrict out = y + o;
                int64_t y0, y1, x0, x1;
                kst_pool_window(g, oy, ox, &y0, &y1, &x0, &x1);
                const float *restrict first = xs + (y0 * W + x0) * C;
                for (int64_t j = 0; j < C; j++) out[j] = first[j];
                if (arg) {
                    int32_t *restrict a = arg + o;
                    const int32_t cell0 = (int32_t)(y0 * W + x0);
                    for (int64_t j = 0; j < C; j++) a[j] = cell0;
                    // Strictly greater: the first maximal cell in window order wins.
                    for (int64_t iy = y0; iy < y1; iy++)
                        for (int64_t ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
                            const float *restrict xp = xs + (iy * W + ix) * C;
                            const int32_t cell = (int32_t)(iy * W + ix);
                            for (int64_t j = 0; j < C; j++) {
                                const int more = xp[j] > out[j];
                                out[j] = more ? xp[j] : out[j];
                                a[j] = more ? cell : a[j];
                            }
                        }
                } else {
                    for (int64_t iy = y0; iy < y1; iy++)
                        for (int64_t ix = iy == y0 ? x0 + 1 : x0; ix < x1; ix++) {
                            const float *restrict xp = xs + (iy * W + ix) * C;
                            for (int64_t j = 0; j < C; j++) out[j] = xp[j] > out[j] ? xp[j] : out[j];
                        }
                }
            }
        }
    }
}

PATTR void KST_PCAT(kst_maxpool_backward_, PSUF)(const int32_t *arg, const float *gy, float *dx, const kst_conv_geom *g,
                                                int64_t n0, int64_t n1) {
    const int64_t C = g->C, W = g->W, plane = g->H * W * C;
    // Windows that do not overlap write each covered cell exactly once (no read-modify-write);
    // only cells no window covers need zeroing first.
    const int disjoint = g->SY >= g->KH && g->SX >= g->KW;
    const int tiles = disjoint && g->SY == g->KH && g->SX == g->KW && g->PT == 0 && g->PL == 0 &&
                      g->OH * g->SY == g->H && g->OW * g->SX == g->W;
    for (int64_t n = n0; n < n1; n++) {
        float *ds = dx + n * plane;
        if (!tiles) memset(ds, 0, (size_t)plane * sizeof(float));
        for (int64_t oy = 0; oy < g->OH; oy++) {
            for (int64_t ox = 0; ox < g->OW; ox++) {
                const int64_t o = ((n * g->OH + oy) * g->OW + ox) * C;
                const int32_t *restrict a = arg + o;
                const float *restrict gp = gy + o;
                int64_t y0, y1, x0, x1;
                kst_pool_window(g, oy, ox, &y0, &y1, &x0, &x1);
                for (int64_t iy = y0; iy < y1; iy++)
                    for (int64_t ix = x0; ix < x1; ix++) {
                        const int32_t cell = (int32_t)(iy * W + ix);
                        float *restrict dp = ds + cell * C;
                        if (disjoint) {
                            for (int64_t j = 0; j < C; j++) dp[j] = a[j] == cell ? gp[j] : 0.0f;
                        } else {
                            for (int64_t j = 0; j < C; j++) dp[j] += a[j] == cell ? gp[j] : 0.0f;
                        }
                    }
            }
        }
    }
}
