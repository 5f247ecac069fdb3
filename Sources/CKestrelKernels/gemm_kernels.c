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
    if (nr == 32) {
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
// 6 x 16 register tile: 12 ymm accumulators, 2 ymm for the B row, 1 for the A broadcast.
#define R256_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define D256(i) __m256 c##i##a = _mm256_setzero_ps(), c##i##b = _mm256_setzero_ps();
#define F256(i) { __m256 av = _mm256_broadcast_ss(ap + i); \
    c##i##a = _mm256_fmadd_ps(av, b0, c##i##a); c##i##b = _mm256_fmadd_ps(av, b1, c##i##b); }

KST_AVX2_ATTR
static inline __m256i kst_mask8(int64_t n) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx);
}

KST_AVX2_ATTR
void kst_sgemm_ukr_avx2(int64_t kc, const float *ap, const float *b, int64_t ldb,
                        float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
    R256_ROWS(D256)
    for (int64_t i = 0; i < mr; i++) {
        _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
    }
    if (nr == 16) {
        int64_t p = 0;
        for (; p + 2 <= kc; p += 2) {
            __m256 b0, b1;
            b0 = _mm256_loadu_ps(b); b1 = _mm256_loadu_ps(b + 8);
            R256_ROWS(F256) ap += 6; b += ldb;
            b0 = _mm256_loadu_ps(b); b1 = _mm256_loadu_ps(b + 8);
            R256_ROWS(F256) ap += 6; b += ldb;
        }
        for (; p < kc; p++) {
            __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
            R256_ROWS(F256) ap += 6; b += ldb;
        }
    } else {
        __m256i m0 = kst_mask8(nr), m1 = kst_mask8(nr - 8);
        for (int64_t p = 0; p < kc; p++) {
            __m256 b0 = _mm256_maskload_ps(b, m0), b1 = _mm256_maskload_ps(b + 8, m1);
            R256_ROWS(F256) ap += 6; b += ldb;
        }
    }
    const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    __m256 t[12];
#define T256(i) t[2 * i] = c##i##a; t[2 * i + 1] = c##i##b;
    R256_ROWS(T256)
    if (mr == 6 && nr == 16) {
        for (int i = 0; i < 6; i++) {
            float *cr = c + i * ldc;
            __m256 x0 = _mm256_mul_ps(va, t[2 * i]), x1 = _mm256_mul_ps(va, t[2 * i + 1]);
            if (beta != 0.0f) {
                x0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), x0);
                x1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), x1);
            }
            _mm256_storeu_ps(cr, x0);
            _mm256_storeu_ps(cr + 8, x1);
        }
    } else {
        __m256i m0 = kst_mask8(nr), m1 = kst_mask8(nr - 8);
        for (int64_t i = 0; i < mr; i++) {
            float *cr = c + i * ldc;
            __m256 x0 = _mm256_mul_ps(va, t[2 * i]), x1 = _mm256_mul_ps(va, t[2 * i + 1]);
            if (beta != 0.0f) {
                x0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr, m0), x0);
                x1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr + 8, m1), x1);
            }
            _mm256_maskstore_ps(cr, m0, x0);
            _mm256_maskstore_ps(cr + 8, m1, x1);
        }
    }
}
#else
void kst_sgemm_ukr_avx512(int64_t kc, const float *ap, const float *b, int64_t ldb,
                          float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
    (void)kc; (void)ap; (void)b; (void)ldb; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
}
void kst_sgemm_ukr_avx2(int64_t kc, const float *ap, const float *b, int64_t ldb,
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
void kst_sgemm_pack_a(int64_t MR, const float *a, int64_t rs, int64_t cs,
                      int64_t m, int64_t kc, float *dst) {
    for (int64_t q = 0; q < m; q += MR) {
        const int64_t mr = m - q < MR ? m - q : MR;
        float *d = dst + q * kc;
        const float *src = a + q * rs;
        if (cs == 1) {
            // Rows contiguous along k: read each row sequentially, write with stride MR.
            for (int64_t i = 0; i < mr; i++) {
                const float *row = src + i * rs;
                float *di = d + i;
                for (int64_t p = 0; p < kc; p++) di[p * MR] = row[p];
            }
        } else {
            for (int64_t p = 0; p < kc; p++) {
                const float *col = src + p * cs;
                float *dp = d + p * MR;
                if (rs == 1) {
                    for (int64_t i = 0; i < mr; i++) dp[i] = col[i];
                } else {
                    for (int64_t i = 0; i < mr; i++) dp[i] = col[i * rs];
                }
            }
        }
        if (mr < MR)
            for (int64_t p = 0; p < kc; p++)
                for (int64_t i = mr; i < MR; i++) d[p * MR + i] = 0.0f;
    }
}

void kst_sgemm_pack_b(int64_t NR, const float *b, int64_t rs, int64_t cs,
                      int64_t kc, int64_t n, float *dst) {
    for (int64_t q = 0; q < n; q += NR) {
        const int64_t nr = n - q < NR ? n - q : NR;
        float *d = dst + q * kc;
        const float *src = b + q * cs;
        if (cs == 1) {
            for (int64_t p = 0; p < kc; p++) {
                const float *row = src + p * rs;
                float *dp = d + p * NR;
                int64_t j = 0;
                for (; j < nr; j++) dp[j] = row[j];
                for (; j < NR; j++) dp[j] = 0.0f;
            }
        } else {
            for (int64_t j = 0; j < nr; j++) {
                const float *col = src + j * cs;
                float *dj = d + j;
                if (rs == 1) {
                    for (int64_t p = 0; p < kc; p++) dj[p * NR] = col[p];
                } else {
                    for (int64_t p = 0; p < kc; p++) dj[p * NR] = col[p * rs];
                }
            }
            if (nr < NR)
                for (int64_t p = 0; p < kc; p++)
                    for (int64_t j = nr; j < NR; j++) d[p * NR + j] = 0.0f;
        }
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
