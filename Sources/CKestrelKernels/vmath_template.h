// Template for the element-wise transcendental kernels; included by vmath_kernels.c once per
// ISA with the V* macros defined (AVX-512, AVX2, scalar). Not a public header.
//
// exp: x = n ln2 + r, |r| <= ln2/2 (Cody-Waite split), degree-6 polynomial for e^r, scaled by
//      2^(n/2) * 2^(n - n/2) so that overflow gives +inf and the subnormal range is exact.
// log: x = m 2^e, m in [sqrt(1/2), sqrt(2)), Cephes degree-9 polynomial for log(1 + f).
// tanh: odd polynomial for |x| < 0.625, else 1 - 2 / (e^(2|x|) + 1) with |x| clamped to 9.
// sigmoid: e = e^(-|x|); s = 1 / (1 + e); x >= 0 ? s : e * s.

#define KST_CAT2(a, b) a##b
#define KST_CAT(a, b) KST_CAT2(a, b)

VATTR static inline VT KST_CAT(kst_exp_core_, VSUF)(VT x) {
    VT xc = VMAX(VSET(-104.0f), x);            // NaN-propagating clamp (x second)
    xc = VMIN(VSET(89.0f), xc);
    VT fn = VROUND(VMUL(xc, VSET(1.44269504088896341f)));
    VT r = VFMA(fn, VSET(-0.693359375f), xc);
    r = VFMA(fn, VSET(2.12194440e-4f), r);
    VT p = VSET(1.9875691500E-4f);
    p = VFMA(p, r, VSET(1.3981999507E-3f));
    p = VFMA(p, r, VSET(8.3334519073E-3f));
    p = VFMA(p, r, VSET(4.1665795894E-2f));
    p = VFMA(p, r, VSET(1.6666665459E-1f));
    p = VFMA(p, r, VSET(5.0000001201E-1f));
    VT r2 = VMUL(r, r);
    p = VFMA(p, r2, VADD(r, VSET(1.0f)));
    VI n = VCVTI(fn);
    VI n1 = VSRAI(n, 1);
    VI n2 = VSUBI(n, n1);
    VT s1 = VCASTF(VSLLI(VADDI(n1, VSETI(127)), 23));
    VT s2 = VCASTF(VSLLI(VADDI(n2, VSETI(127)), 23));
    VT y = VMUL(VMUL(p, s1), s2);
    return VBLEND(VISNAN(x), y, x);
}

VATTR static inline VT KST_CAT(kst_log_core_, VSUF)(VT x) {
    // Subnormal inputs: scale by 2^23 first.
    VM tiny = VLT(x, VSET(1.17549435e-38f));
    VT xs = VBLEND(tiny, x, VMUL(x, VSET(8388608.0f)));
    VI xi = VCASTI(xs);
    VI e = VSUBI(VSRLI(xi, 23), VSETI(126));
    VT m = VCASTF(VORI(VANDI(xi, VSETI(0x007FFFFF)), VSETI(0x3F000000)));   // [0.5, 1)
    VT fe = VCVTF(e);
    fe = VBLEND(tiny, fe, VSUB(fe, VSET(23.0f)));
    VM small = VLT(m, VSET(0.707106781186547524f));
    VT f = VSUB(VBLEND(small, m, VADD(m, m)), VSET(1.0f));
    fe = VBLEND(small, fe, VSUB(fe, VSET(1.0f)));
    VT z = VMUL(f, f);
    VT y = VSET(7.0376836292E-2f);
    y = VFMA(y, f, VSET(-1.1514610310E-1f));
    y = VFMA(y, f, VSET(1.1676998740E-1f));
    y = VFMA(y, f, VSET(-1.2420140846E-1f));
    y = VFMA(y, f, VSET(1.4249322787E-1f));
    y = VFMA(y, f, VSET(-1.6668057665E-1f));
    y = VFMA(y, f, VSET(2.0000714765E-1f));
    y = VFMA(y, f, VSET(-2.4999993993E-1f));
    y = VFMA(y, f, VSET(3.3333331174E-1f));
    y = VMUL(VMUL(y, f), z);
    y = VFMA(fe, VSET(-2.12194440e-4f), y);
    y = VFMA(z, VSET(-0.5f), y);
    VT res = VADD(f, y);
    res = VFMA(fe, VSET(0.693359375f), res);
    // Specials: x == 0 -> -inf, x < 0 -> NaN, +inf -> +inf, NaN -> NaN.
    res = VBLEND(VEQ(x, VSET(__builtin_inff())), res, x);
    res = VBLEND(VEQ(x, VSET(0.0f)), res, VSET(-__builtin_inff()));
    res = VBLEND(VLT(x, VSET(0.0f)), res, VSET(__builtin_nanf("")));
    return VBLEND(VISNAN(x), res, x);
}

VATTR static inline VT KST_CAT(kst_tanh_core_, VSUF)(VT x) {
    VT ax = VABS(x);
    VT z = VMUL(x, x);
    VT ps = VSET(-5.70498872745E-3f);
    ps = VFMA(ps, z, VSET(2.06390887954E-2f));
    ps = VFMA(ps, z, VSET(-5.37397155531E-2f));
    ps = VFMA(ps, z, VSET(1.33314422036E-1f));
    ps = VFMA(ps, z, VSET(-3.33332819422E-1f));
    ps = VFMA(VMUL(ps, z), x, x);
    VT e = KST_CAT(kst_exp_core_, VSUF)(VADD(VMIN(VSET(9.0f), ax), VMIN(VSET(9.0f), ax)));
    VT pl = VSUB(VSET(1.0f), VDIV(VSET(2.0f), VADD(e, VSET(1.0f))));
    pl = VCOPYSIGN(pl, x);
    VT y = VBLEND(VLT(ax, VSET(0.625f)), pl, ps);
    return VBLEND(VISNAN(x), y, x);
}

VATTR static inline VT KST_CAT(kst_sigmoid_core_, VSUF)(VT x) {
    VT e = KST_CAT(kst_exp_core_, VSUF)(VNEG(VABS(x)));
    VT s = VDIV(VSET(1.0f), VADD(VSET(1.0f), e));
    VT y = VBLEND(VLT(x, VSET(0.0f)), s, VMUL(e, s));
    return VBLEND(VISNAN(x), y, x);
}

#define KST_DEFINE_MAP(NAME, CORE)                                                       \
    VATTR void KST_CAT(NAME, VSUF)(const float *x, float *y, int64_t n) {                \
        int64_t i = 0;                                                                   \
        for (; i + VW <= n; i += VW) VSTORE(y + i, KST_CAT(CORE, VSUF)(VLOAD(x + i)));   \
        if (i < n) VTAIL(KST_CAT(CORE, VSUF), x + i, y + i, n - i);                       \
    }
KST_DEFINE_MAP(kst_vexp_, kst_exp_core_)
KST_DEFINE_MAP(kst_vlog_, kst_log_core_)
KST_DEFINE_MAP(kst_vtanh_, kst_tanh_core_)
KST_DEFINE_MAP(kst_vsigmoid_, kst_sigmoid_core_)
#undef KST_DEFINE_MAP

// Softmax of one contiguous row in place, e^(x - max) / sum: the max and the sum are taken in
// VW lanes, then across them.
VATTR void KST_CAT(kst_softmax_row_, VSUF)(float *x, int64_t n) {
    float lanes[VW];
    VT acc = VSET(-__builtin_inff());
    int64_t i = 0;
    for (; i + VW <= n; i += VW) acc = VMAX(acc, VLOAD(x + i));
    VSTORE(lanes, acc);
    float m = -__builtin_inff();
    for (int k = 0; k < VW; k++) m = lanes[k] > m ? lanes[k] : m;
    for (int64_t j = i; j < n; j++) m = x[j] > m ? x[j] : m;
    VT mv = VSET(m), total = VSET(0.0f);
    for (i = 0; i + VW <= n; i += VW) {
        VT e = KST_CAT(kst_exp_core_, VSUF)(VSUB(VLOAD(x + i), mv));
        VSTORE(x + i, e);
        total = VADD(total, e);
    }
    for (int64_t j = i; j < n; j++) x[j] -= m;
    if (i < n) VTAIL(KST_CAT(kst_exp_core_, VSUF), x + i, x + i, n - i);
    VSTORE(lanes, total);
    float sum = 0.0f;
    for (int k = 0; k < VW; k++) sum += lanes[k];
    for (int64_t j = i; j < n; j++) sum += x[j];
    VT inverse = VSET(1.0f / sum);
    for (i = 0; i + VW <= n; i += VW) VSTORE(x + i, VMUL(VLOAD(x + i), inverse));
    for (int64_t j = i; j < n; j++) x[j] *= 1.0f / sum;
}
