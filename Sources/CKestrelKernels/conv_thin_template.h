// Template for the thin-window kernel gradient; included by conv_thin.c once per ISA with
// TATTR (target attribute) and TSUF (name suffix) defined. Not a public header.

#define KST_TCAT2(a, b) a##b
#define KST_TCAT(a, b) KST_TCAT2(a, b)

// Window values of output pixel p (zero where the window leaves the input): a[t] for the
// k = KH*KW*C taps in kernel order (ky, kx, c).
static inline void KST_TCAT(kst_thin_window_, TSUF)(const float *x, const kst_conv_geom *g, int64_t p, float *a) {
    const int64_t plane = g->OH * g->OW, n = p / plane, r = p % plane, oy = r / g->OW, ox = r % g->OW;
    const int64_t C = g->C;
    const float *xs = x + n * g->H * g->W * C;
    int64_t t = 0;
    for (int64_t ky = 0; ky < g->KH; ky++) {
        const int64_t iy = oy * g->SY - g->PT + ky * g->DY;
        for (int64_t kx = 0; kx < g->KW; kx++) {
            const int64_t ix = ox * g->SX - g->PL + kx * g->DX;
            const int inside = iy >= 0 && iy < g->H && ix >= 0 && ix < g->W;
            for (int64_t c = 0; c < C; c++, t++) a[t] = inside ? xs[(iy * g->W + ix) * C + c] : 0.0f;
        }
    }
}

TATTR void KST_TCAT(kst_conv_weight_grad_thin_, TSUF)(const float *x, const float *gy, const float *y, float *dw, float *db,
                                                     const kst_conv_geom *g, int64_t cout, int64_t p0, int64_t p1) {
    const int64_t k = g->KH * g->KW * g->C;
    float a[4][KST_THIN_MAX_TAPS];
    float gm[4][KST_THIN_MAX_COUT];
    int64_t p = p0;
    // Four output pixels at a time: each accumulator row of dw is read and written once per
    // four rank-1 updates.
    for (; p < p1; p += 4) {
        const int64_t rows = p1 - p < 4 ? p1 - p : 4;
        for (int64_t q = 0; q < 4; q++) {
            float *restrict m = gm[q];
            if (q < rows) {
                const float *restrict gr = gy + (p - p0 + q) * cout;
                if (y) {
                    const float *restrict yr = y + (p - p0 + q) * cout;
                    for (int64_t j = 0; j < cout; j++) { const float v = gr[j]; m[j] = yr[j] > 0 ? v : 0.0f; }
                } else {
                    for (int64_t j = 0; j < cout; j++) m[j] = gr[j];
                }
                KST_TCAT(kst_thin_window_, TSUF)(x, g, p + q, a[q]);
            } else {
                for (int64_t j = 0; j < cout; j++) m[j] = 0.0f;
                for (int64_t t = 0; t < k; t++) a[q][t] = 0.0f;
            }
        }
        const float *restrict m0 = gm[0], *restrict m1 = gm[1], *restrict m2 = gm[2], *restrict m3 = gm[3];
        for (int64_t t = 0; t < k; t++) {
            float *restrict d = dw + t * cout;
            const float a0 = a[0][t], a1 = a[1][t], a2 = a[2][t], a3 = a[3][t];
            for (int64_t j = 0; j < cout; j++) d[j] += a0 * m0[j] + a1 * m1[j] + a2 * m2[j] + a3 * m3[j];
        }
        if (db)
            for (int64_t j = 0; j < cout; j++) db[j] += m0[j] + m1[j] + m2[j] + m3[j];
    }
}
