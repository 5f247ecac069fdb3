// Template for the fused recurrent-cell kernels; included by vmath_kernels.c once per ISA,
// right after vmath_template.h (whose sigmoid/tanh cores it uses). Not a public header.
//
// LSTM cell over one batch row, Keras gate order i, f, c, o in z (4u pre-activations):
// i, f, o = sigmoid, g = tanh, c1 = f c0 + i g, h = o tanh(c1). The activated gates overwrite
// z and tanh(c1) is kept, so a backward pass can differentiate from outputs alone.

VATTR static inline void KST_CAT(kst_lstm_block_, VSUF)(float *zi, float *zf, float *zg, float *zo,
        const float *b, int64_t u, const float *c0, float *c1, float *tc, float *h) {
    VT vi = VLOAD(zi), vf = VLOAD(zf), vg = VLOAD(zg), vo = VLOAD(zo);
    if (b) {
        vi = VADD(vi, VLOAD(b)); vf = VADD(vf, VLOAD(b + u));
        vg = VADD(vg, VLOAD(b + 2 * u)); vo = VADD(vo, VLOAD(b + 3 * u));
    }
    vi = KST_CAT(kst_sigmoid_core_, VSUF)(vi);
    vf = KST_CAT(kst_sigmoid_core_, VSUF)(vf);
    vg = KST_CAT(kst_tanh_core_, VSUF)(vg);
    vo = KST_CAT(kst_sigmoid_core_, VSUF)(vo);
    VSTORE(zi, vi); VSTORE(zf, vf); VSTORE(zg, vg); VSTORE(zo, vo);
    VT c = VFMA(vf, VLOAD(c0), VMUL(vi, vg));
    VT t = KST_CAT(kst_tanh_core_, VSUF)(c);
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
