// Template for the fused recurrent-cell kernels; included by vmath_kernels.c once per ISA,
// right after vmath_template.h (whose macros it uses). Not a public header.
//
// LSTM cell over one batch row, Keras gate order i, f, c, o in z (4u pre-activations):
// i, f, o = sigmoid, g = tanh, c1 = f c0 + i g, h = o tanh(c1). The activated gates overwrite
// z and tanh(c1) is kept, so a backward pass can differentiate from outputs alone.

// tanh as a rational function (odd degree-13 over even degree-6 polynomial in x, clamped to
// |x| <= 7.9053, x itself below 4e-4): max abs error 3.6e-7 over the floats, no exp, one
// division; sigmoid(x) = 0.5 + 0.5 tanh(x / 2) (max abs error 2.3e-7). The recurrent cells
// evaluate five of these per unit and step, so they use this cheaper form.
VATTR static inline VT KST_CAT(kst_cell_tanh_, VSUF)(VT x) {
    VT xc = VMIN(VSET(7.90531110763549805f), VMAX(VSET(-7.90531110763549805f), x));
    VT x2 = VMUL(xc, xc);
    VT p = VSET(-2.76076847742355e-16f);
    p = VFMA(p, x2, VSET(2.00018790482477e-13f));
    p = VFMA(p, x2, VSET(-8.60467152213735e-11f));
    p = VFMA(p, x2, VSET(5.12229709037114e-08f));
    p = VFMA(p, x2, VSET(1.48572235717979e-05f));
    p = VFMA(p, x2, VSET(6.37261928875436e-04f));
    p = VFMA(p, x2, VSET(4.89352455891786e-03f));
    p = VMUL(p, xc);
    VT q = VSET(1.19825839466702e-06f);
    q = VFMA(q, x2, VSET(1.18534705686654e-04f));
    q = VFMA(q, x2, VSET(2.26843463243900e-03f));
    q = VFMA(q, x2, VSET(4.89352518554385e-03f));
    VT y = VBLEND(VLT(VABS(x), VSET(4e-4f)), VDIV(p, q), x);
    return VBLEND(VISNAN(x), y, x);
}

VATTR static inline VT KST_CAT(kst_cell_sigmoid_, VSUF)(VT x) {
    return VFMA(VSET(0.5f), KST_CAT(kst_cell_tanh_, VSUF)(VMUL(VSET(0.5f), x)), VSET(0.5f));
}

VATTR static inline void KST_CAT(kst_lstm_block_, VSUF)(float *zi, float *zf, float *zg, float *zo,
        const float *b, int64_t u, const float *c0, float *c1, float *tc, float *h) {
    VT vi = VLOAD(zi), vf = VLOAD(zf), vg = VLOAD(zg), vo = VLOAD(zo);
    if (b) {
        vi = VADD(vi, VLOAD(b)); vf = VADD(vf, VLOAD(b + u));
        vg = VADD(vg, VLOAD(b + 2 * u)); vo = VADD(vo, VLOAD(b + 3 * u));
    }
    vi = KST_CAT(kst_cell_sigmoid_, VSUF)(vi);
    vf = KST_CAT(kst_cell_sigmoid_, VSUF)(vf);
    vg = KST_CAT(kst_cell_tanh_, VSUF)(vg);
    vo = KST_CAT(kst_cell_sigmoid_, VSUF)(vo);
    VSTORE(zi, vi); VSTORE(zf, vf); VSTORE(zg, vg); VSTORE(zo, vo);
    VT c = VFMA(vf, VLOAD(c0), VMUL(vi, vg));
    VT t = KST_CAT(kst_cell_tanh_, VSUF)(c);
    VSTORE(c1, c); VSTORE(tc, t); VSTORE(h, VMUL(vo, t));
}

VATTR void KST_CAT(kst_lstm_cell_, VSUF)(float *z, const float *b, const float *c0, float *c1,
                                         float *tc, float *h, int64_t u) {
    int64_t j = 0;
    for (; j + VW <= u; j += VW)
        KST_CAT(kst_lstm_block_, VSUF)(z + j, z + u + j, z + 2 * u + j, z + 3 * u + j, b ? b + j : 0, u,
                                       c0 + j, c1 + j, tc + j, h + j);
    if (j < u) {
        // Tail: run one full vector on zero-padded copies.
        int64_t n = u - j;
        float s[7][VW], bb[4][VW];
        memset(s, 0, sizeof s); memset(bb, 0, sizeof bb);
        for (int q = 0; q < 4; q++) {
            memcpy(s[q], z + q * u + j, (size_t)n * 4);
            if (b) memcpy(bb[q], b + q * u + j, (size_t)n * 4);
        }
        memcpy(s[4], c0 + j, (size_t)n * 4);
        KST_CAT(kst_lstm_block_, VSUF)(s[0], s[1], s[2], s[3], b ? &bb[0][0] : 0, VW, s[4], s[4], s[5], s[6]);
        for (int q = 0; q < 4; q++) memcpy(z + q * u + j, s[q], (size_t)n * 4);
        memcpy(c1 + j, s[4], (size_t)n * 4);
        memcpy(tc + j, s[5], (size_t)n * 4);
        memcpy(h + j, s[6], (size_t)n * 4);
    }
}
