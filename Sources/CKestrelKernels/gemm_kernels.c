// SGEMM micro-kernels and packing routines (see include/CKestrelKernels.h for the contracts).
// Loops only: the Swift side (Gemm.swift) owns blocking, dispatch and threading.
#include "CKestrelKernels.h"
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KST_X86 1
#define KST_AVX512_ATTR __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,avx2")))
#define KST_AVX2_ATTR __attribute__((target("avx2,fma")))
#endif

int kst_cpu_features(void) {
    int f = 0;
#if KST_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) f |= KST_CPU_AVX2_FMA;
    if ((f & KST_CPU_AVX2_FMA) && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq"))
        f |= KST_CPU_AVX512;
#endif
    return f;
}

void kst_cpu_relax(void) {
#if KST_X86
    _mm_pause();
#endif
}

// ---------------------------------------------------------------------------------- AVX-512
#if KST_X86
// 12 x 32 register tile: 24 zmm accumulators, 2 zmm for the B row, 1 for the A broadcast.
#define R512_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define R512_ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define R512_ROWS4(X) X(0) X(1) X(2) X(3)
#define D512(i) __m512 c##i##a = _mm512_setzero_ps(), c##i##b = _mm512_setzero_ps();
#define F512(i) { __m512 av = _mm512_set1_ps(ap[i]); \
    c##i##a = _mm512_fmadd_ps(av, b0, c##i##a); c##i##b = _mm512_fmadd_ps(av, b1, c##i##b); }

KST_AVX512_ATTR
void kst_sgemm_ukr_avx512(int64_t kc, const float *ap, const float *b, int64_t ldb,
                          float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
    R512_ROWS(D512)
    for (int64_t i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 16), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T0);
    }
    if (nr == 32 && mr <= 8) {
        // Short tiles (the last rows of an M not divisible by 12) skip the padding rows.
        if (mr <= 4) {
            for (int64_t p = 0; p < kc; p++) {
                __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
                R512_ROWS4(F512) ap += 12; b += ldb;
            }
        } else {
            for (int64_t p = 0; p < kc; p++) {
                __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
                R512_ROWS8(F512) ap += 12; b += ldb;
            }
        }
    } else if (nr == 32) {
        int64_t p = 0;
        for (; p + 4 <= kc; p += 4) {
            __m512 b0, b1;
            b0 = _mm512_loadu_ps(b); b1 = _mm512_loadu_ps(b + 16);
            R512_ROWS(F512) ap += 12; b += ldb;
            b0 = _mm512_loadu_ps(b); b1 = _mm512_loadu_ps(b + 16);
            R512_ROWS(F512) ap += 12; b += ldb;
            b0 = _mm512_loadu_ps(b); b1 = _mm512_loadu_ps(b + 16);
            R512_ROWS(F512) ap += 12; b += ldb;
            b0 = _mm512_loadu_ps(b); b1 = _mm512_loadu_ps(b + 16);
            R512_ROWS(F512) ap += 12; b += ldb;
        }
        for (; p < kc; p++) {
            __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
            R512_ROWS(F512) ap += 12; b += ldb;
        }
    } else {
        __mmask16 k0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
        __mmask16 k1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1u) : 0;
        for (int64_t p = 0; p < kc; p++) {
            __m512 b0 = _mm512_maskz_loadu_ps(k0, b), b1 = _mm512_maskz_loadu_ps(k1, b + 16);
            R512_ROWS(F512) ap += 12; b += ldb;
        }
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    if (mr == 12 && nr == 32) {
        if (beta == 0.0f) {
#define S512Z(i) _mm512_storeu_ps(c + i * ldc, _mm512_mul_ps(va, c##i##a)); \
                 _mm512_storeu_ps(c + i * ldc + 16, _mm512_mul_ps(va, c##i##b));
            R512_ROWS(S512Z)
        } else if (beta == 1.0f) {
#define S512O(i) _mm512_storeu_ps(c + i * ldc, _mm512_fmadd_ps(va, c##i##a, _mm512_loadu_ps(c + i * ldc))); \
                 _mm512_storeu_ps(c + i * ldc + 16, _mm512_fmadd_ps(va, c##i##b, _mm512_loadu_ps(c + i * ldc + 16)));
            R512_ROWS(S512O)
        } else {
#define S512B(i) _mm512_storeu_ps(c + i * ldc, _mm512_fmadd_ps(va, c##i##a, _mm512_mul_ps(vb, _mm512_loadu_ps(c + i * ldc)))); \
                 _mm512_storeu_ps(c + i * ldc + 16, _mm512_fmadd_ps(va, c##i##b, _mm512_mul_ps(vb, _mm512_loadu_ps(c + i * ldc + 16))));
            R512_ROWS(S512B)
        }
    } else {
        __mmask16 k0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1u);
        __mmask16 k1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1u) : 0;
        __m512 t[24];
#define T512(i) t[2 * i] = c##i##a; t[2 * i + 1] = c##i##b;
        R512_ROWS(T512)
        for (int64_t i = 0; i < mr; i++) {
            float *cr = c + i * ldc;
            __m512 x0 = _mm512_mul_ps(va, t[2 * i]), x1 = _mm512_mul_ps(va, t[2 * i + 1]);
            if (beta != 0.0f) {
                x0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k0, cr), x0);
                x1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(k1, cr + 16), x1);
            }
            _mm512_mask_storeu_ps(cr, k0, x0);
            _mm512_mask_storeu_ps(cr + 16, k1, x1);
        }
    }
}

// ------------------------------------------------------------------------------------ AVX2
// R x 16 register tile (R = 6: 12 ymm accumulators, 2 ymm for the B row, 1 for the A
// broadcast; R = 4 for the rows a 6-row tiling would leave over, read from 4-row panels).
#define R256_ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define R256_ROWS4(X) X(0) X(1) X(2) X(3)
#define D256(i) __m256 c##i##a = _mm256_setzero_ps(), c##i##b = _mm256_setzero_ps();
#define F256(i) { __m256 av = _mm256_broadcast_ss(ap + i); \
    c##i##a = _mm256_fmadd_ps(av, b0, c##i##a); c##i##b = _mm256_fmadd_ps(av, b1, c##i##b); }
#define T256(i) t[2 * i] = c##i##a; t[2 * i + 1] = c##i##b;

KST_AVX2_ATTR
static inline __m256i kst_mask8(int64_t n) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

#define KST_AVX2_UKR(NAME, R, ROWS)                                                                      \
KST_AVX2_ATTR                                                                                            \
void NAME(int64_t kc, const float *ap, const float *b, int64_t ldb,                                      \
          float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {                      \
    ROWS(D256)                                                                                           \
    for (int64_t i = 0; i < mr; i++) {                                                                   \
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);                                          \
        _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);                                     \
    }                                                                                                    \
    if (nr == 16) {                                                                                      \
        int64_t p = 0;                                                                                   \
        for (; p + 2 <= kc; p += 2) {                                                                    \
            __m256 b0, b1;                                                                               \
            b0 = _mm256_loadu_ps(b); b1 = _mm256_loadu_ps(b + 8);                                        \
            ROWS(F256) ap += R; b += ldb;                                                                \
            b0 = _mm256_loadu_ps(b); b1 = _mm256_loadu_ps(b + 8);                                        \
            ROWS(F256) ap += R; b += ldb;                                                                \
        }                                                                                                \
        for (; p < kc; p++) {                                                                            \
            __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);                                 \
            ROWS(F256) ap += R; b += ldb;                                                                \
        }                                                                                                \
    } else {                                                                                             \
        __m256i m0 = kst_mask8(nr), m1 = kst_mask8(nr - 8);                                              \
        for (int64_t p = 0; p < kc; p++) {                                                               \
            __m256 b0 = _mm256_maskload_ps(b, m0), b1 = _mm256_maskload_ps(b + 8, m1);                   \
            ROWS(F256) ap += R; b += ldb;                                                                \
        }                                                                                                \
    }                                                                                                    \
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);                                  \
    __m256 t[2 * R];                                                                                     \
    ROWS(T256)                                                                                           \
    if (mr == R && nr == 16) {                                                                           \
        for (int i = 0; i < R; i++) {                                                                    \
            float *cr = c + i * ldc;                                                                     \
            __m256 x0 = _mm256_mul_ps(va, t[2 * i]), x1 = _mm256_mul_ps(va, t[2 * i + 1]);               \
            if (beta != 0.0f) {                                                                          \
                x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), x0);                                       \
                x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), x1);                                   \
            }                                                                                            \
            _mm256_storeu_ps(cr, x0);                                                                    \
            _mm256_storeu_ps(cr + 8, x1);                                                                \
        }                                                                                                \
    } else {                                                                                             \
        __m256i m0 = kst_mask8(nr), m1 = kst_mask8(nr - 8);                                              \
        for (int64_t i = 0; i < mr; i++) {                                                               \
            float *cr = c + i * ldc;                                                                     \
            __m256 x0 = _mm256_mul_ps(va, t[2 * i]), x1 = _mm256_mul_ps(va, t[2 * i + 1]);               \
            if (beta != 0.0f) {                                                                          \
                x0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr, m0), x0);                                \
                x1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr + 8, m1), x1);                            \
            }                                                                                            \
            _mm256_maskstore_ps(cr, m0, x0);                                                             \
            _mm256_maskstore_ps(cr + 8, m1, x1);                                                         \
        }                                                                                                \
    }                                                                                                    \
}

KST_AVX2_UKR(kst_sgemm_ukr_avx2, 6, R256_ROWS6)
KST_AVX2_UKR(kst_sgemm_ukr_avx2_4, 4, R256_ROWS4)
#else
void kst_sgemm_ukr_avx512(int64_t kc, const float *ap, const float *b, int64_t ldb,
                          float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
    (void)kc; (void)ap; (void)b; (void)ldb; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
}
void kst_sgemm_ukr_avx2(int64_t kc, const float *ap, const float *b, int64_t ldb,
                        float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
    (void)kc; (void)ap; (void)b; (void)ldb; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
}
void kst_sgemm_ukr_avx2_4(int64_t kc, const float *ap, const float *b, int64_t ldb,
                          float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
    (void)kc; (void)ap; (void)b; (void)ldb; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
}
#endif

// -------------------------------------------------------------------------------- portable
void kst_sgemm_ukr_portable(int64_t kc, const float *ap, const float *b, int64_t ldb,
                            float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
    enum { MR = KST_PORTABLE_MR, NR = KST_PORTABLE_NR };
    float acc[MR][NR];
    memset(acc, 0, sizeof acc);
    if (nr == NR) {
        for (int64_t p = 0; p < kc; p++) {
            for (int i = 0; i < MR; i++) {
                const float a = ap[i];
                for (int j = 0; j < NR; j++) acc[i][j] += a * b[j];
            }
            ap += MR; b += ldb;
        }
    } else {
        for (int64_t p = 0; p < kc; p++) {
            for (int i = 0; i < MR; i++) {
                const float a = ap[i];
                for (int64_t j = 0; j < nr; j++) acc[i][j] += a * b[j];
            }
            ap += MR; b += ldb;
        }
    }
    for (int64_t i = 0; i < mr; i++) {
        float *cr = c + i * ldc;
        if (beta == 0.0f) {
            for (int64_t j = 0; j < nr; j++) cr[j] = alpha * acc[i][j];
        } else {
            for (int64_t j = 0; j < nr; j++) cr[j] = alpha * acc[i][j] + beta * cr[j];
        }
    }
}

// --------------------------------------------------------------------------------- packing
// Transposing copy: dst[p*W + i] = src[i*ld + p] for i < rows, p < kc; rows..<W zero-filled.
// This is packing A when A is not transposed and B when B is transposed.
static void kst_pack_t_scalar(int64_t W, const float *src, int64_t ld, int64_t i0, int64_t rows,
                              int64_t kc, float *dst) {
    for (int64_t i = i0; i < rows; i++) {
        const float *row = src + i * ld;
        float *di = dst + i;
        for (int64_t p = 0; p < kc; p++) di[p * W] = row[p];
    }
}

#if KST_X86
KST_AVX2_ATTR
static void kst_pack_t_avx2(int64_t W, const float *src, int64_t ld, int64_t rows, int64_t kc,
                            float *dst) {
    int64_t i0 = 0;
    for (; i0 + 8 <= rows; i0 += 8) {
        const float *s = src + i0 * ld;
        float *d = dst + i0;
        int64_t p = 0;
        for (; p + 8 <= kc; p += 8) {
            __m256 r0 = _mm256_loadu_ps(s + p), r1 = _mm256_loadu_ps(s + ld + p);
            __m256 r2 = _mm256_loadu_ps(s + 2 * ld + p), r3 = _mm256_loadu_ps(s + 3 * ld + p);
            __m256 r4 = _mm256_loadu_ps(s + 4 * ld + p), r5 = _mm256_loadu_ps(s + 5 * ld + p);
            __m256 r6 = _mm256_loadu_ps(s + 6 * ld + p), r7 = _mm256_loadu_ps(s + 7 * ld + p);
            __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
            __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
            __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
            __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
            __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
            __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
            float *dp = d + p * W;
            _mm256_storeu_ps(dp, _mm256_permute2f128_ps(u0, u4, 0x20));
            _mm256_storeu_ps(dp + W, _mm256_permute2f128_ps(u1, u5, 0x20));
            _mm256_storeu_ps(dp + 2 * W, _mm256_permute2f128_ps(u2, u6, 0x20));
            _mm256_storeu_ps(dp + 3 * W, _mm256_permute2f128_ps(u3, u7, 0x20));
            _mm256_storeu_ps(dp + 4 * W, _mm256_permute2f128_ps(u0, u4, 0x31));
            _mm256_storeu_ps(dp + 5 * W, _mm256_permute2f128_ps(u1, u5, 0x31));
            _mm256_storeu_ps(dp + 6 * W, _mm256_permute2f128_ps(u2, u6, 0x31));
            _mm256_storeu_ps(dp + 7 * W, _mm256_permute2f128_ps(u3, u7, 0x31));
        }
        for (; p < kc; p++)
            for (int r = 0; r < 8; r++) d[p * W + r] = s[r * ld + p];
    }
    for (; i0 + 4 <= rows; i0 += 4) {
        const float *s = src + i0 * ld;
        float *d = dst + i0;
        int64_t p = 0;
        for (; p + 4 <= kc; p += 4) {
            __m128 r0 = _mm_loadu_ps(s + p), r1 = _mm_loadu_ps(s + ld + p);
            __m128 r2 = _mm_loadu_ps(s + 2 * ld + p), r3 = _mm_loadu_ps(s + 3 * ld + p);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            float *dp = d + p * W;
            _mm_storeu_ps(dp, r0);
            _mm_storeu_ps(dp + W, r1);
            _mm_storeu_ps(dp + 2 * W, r2);
            _mm_storeu_ps(dp + 3 * W, r3);
        }
        for (; p < kc; p++)
            for (int r = 0; r < 4; r++) d[p * W + r] = s[r * ld + p];
    }
    kst_pack_t_scalar(W, src, ld, i0, rows, kc, dst);
}
#endif

static void kst_pack_t(int simd, int64_t W, const float *src, int64_t ld, int64_t rows, int64_t kc,
                       float *dst) {
#if KST_X86
    if (simd) kst_pack_t_avx2(W, src, ld, rows, kc, dst);
    else
#endif
        kst_pack_t_scalar(W, src, ld, 0, rows, kc, dst);
    (void)simd;
    if (rows < W)
        for (int64_t p = 0; p < kc; p++)
            for (int64_t i = rows; i < W; i++) dst[p * W + i] = 0.0f;
}

// Straight copy: dst[p*W + i] = src[p*ld + i] for i < cols; cols..<W zero-filled.
static void kst_pack_n(int64_t W, const float *src, int64_t ld, int64_t cols, int64_t kc, float *dst) {
    for (int64_t p = 0; p < kc; p++) {
        const float *row = src + p * ld;
        float *dp = dst + p * W;
        int64_t j = 0;
        for (; j < cols; j++) dp[j] = row[j];
        for (; j < W; j++) dp[j] = 0.0f;
    }
}

static void kst_pack_g(int64_t W, const float *src, int64_t rsi, int64_t rsp, int64_t cnt, int64_t kc,
                       float *dst) {
    for (int64_t p = 0; p < kc; p++)
        for (int64_t i = 0; i < W; i++) dst[p * W + i] = i < cnt ? src[i * rsi + p * rsp] : 0.0f;
}

void kst_sgemm_pack_a(int simd, int64_t MR, const float *a, int64_t rs, int64_t cs,
                      int64_t m, int64_t kc, float *dst) {
    for (int64_t q = 0; q < m; q += MR) {
        const int64_t mr = m - q < MR ? m - q : MR;
        float *d = dst + q * kc;
        const float *src = a + q * rs;
        if (cs == 1) kst_pack_t(simd, MR, src, rs, mr, kc, d);
        else if (rs == 1) kst_pack_n(MR, src, cs, mr, kc, d);
        else kst_pack_g(MR, src, rs, cs, mr, kc, d);
    }
}

// Row-major B (cs == 1) into NR-column panels, reading each source row once from start to
// end: a panel-at-a-time copy would jump a whole row stride (often a new page) every NR floats.
static void kst_pack_n_panels(int64_t NR, const float *b, int64_t rs, int64_t kc, int64_t n, float *dst) {
    const int64_t full = n / NR * NR;
    for (int64_t p = 0; p < kc; p++) {
        const float *row = b + p * rs;
        float *d = dst + p * NR;
        for (int64_t q = 0; q < full; q += NR) {
            float *dq = d + q * kc;
            for (int64_t j = 0; j < NR; j++) dq[j] = row[q + j];
        }
        if (full < n) {
            float *dq = d + full * kc;
            int64_t j = 0;
            for (; j < n - full; j++) dq[j] = row[full + j];
            for (; j < NR; j++) dq[j] = 0.0f;
        }
    }
}

#if KST_X86
// The same for the SIMD panel widths (16 and 32 floats): whole panels as 8-float moves.
KST_AVX2_ATTR
static void kst_pack_n_panels_avx2(int64_t NR, const float *b, int64_t rs, int64_t kc, int64_t n, float *dst) {
    const int64_t full = n / NR * NR;
    for (int64_t p = 0; p < kc; p++) {
        const float *row = b + p * rs;
        float *d = dst + p * NR;
        for (int64_t q = 0; q < full; q += NR) {
            float *dq = d + q * kc;
            for (int64_t j = 0; j < NR; j += 8) _mm256_storeu_ps(dq + j, _mm256_loadu_ps(row + q + j));
        }
    }
    if (full < n) kst_pack_n_panels(NR, b + full, rs, kc, n - full, dst + full * kc);
}
#endif

void kst_sgemm_pack_b(int simd, int64_t NR, const float *b, int64_t rs, int64_t cs,
                      int64_t kc, int64_t n, float *dst) {
    if (cs == 1) {
#if KST_X86
        if (simd && NR % 8 == 0) {
            kst_pack_n_panels_avx2(NR, b, rs, kc, n, dst);
            return;
        }
#endif
        kst_pack_n_panels(NR, b, rs, kc, n, dst);
        return;
    }
    for (int64_t q = 0; q < n; q += NR) {
        const int64_t nr = n - q < NR ? n - q : NR;
        float *d = dst + q * kc;
        const float *src = b + q * cs;
        if (rs == 1) kst_pack_t(simd, NR, src, cs, nr, kc, d);
        else kst_pack_g(NR, src, cs, rs, nr, kc, d);
    }
}

void kst_scale_matrix(float *c, int64_t ldc, int64_t m, int64_t n, float beta) {
    for (int64_t i = 0; i < m; i++) {
        float *cr = c + i * ldc;
        if (beta == 0.0f) {
            for (int64_t j = 0; j < n; j++) cr[j] = 0.0f;
        } else if (beta != 1.0f) {
            for (int64_t j = 0; j < n; j++) cr[j] *= beta;
        }
    }
}
