// CKestrelKernels: the only C in Kestrel. Loop-only SIMD micro-kernels (SGEMM micro-kernel,
// packing, element-wise transcendental functions), each in three versions (AVX-512, AVX2+FMA,
// portable C). All blocking, dispatch and threading decisions are made in Swift.
#ifndef CKESTRELKERNELS_H
#define CKESTRELKERNELS_H

#include <stdint.h>
#include "conv_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/// CPU feature bits reported by kst_cpu_features().
enum {
    KST_CPU_AVX2_FMA = 1,   // AVX2 and FMA3
    KST_CPU_AVX512 = 2      // AVX-512 F, VL, BW, DQ (plus FMA3)
};

/// Bit set of KST_CPU_* flags for the running CPU (via __builtin_cpu_supports).
int kst_cpu_features(void);

/// Register-tile shape of each SGEMM micro-kernel: MR rows (broadcast side) x NR columns
/// (vector side).
enum {
    KST_AVX512_MR = 12, KST_AVX512_NR = 32,
    KST_AVX2_MR = 6, KST_AVX2_NR = 16,
    KST_PORTABLE_MR = 4, KST_PORTABLE_NR = 16
};

/// SGEMM micro-kernel: C[0..<mr, 0..<nr] = alpha * Ap * B + beta * C  (beta == 0: C is not read).
///  - ap: packed A micro-panel, kc steps of MR floats (element (i, p) at ap[p*MR + i]); rows
///    i >= mr must be readable (zero padding from kst_sgemm_pack_a).
///  - b: element (p, j) at b[p*ldb + j]; either a packed panel (ldb == NR, zero padded) or the
///    original row-major matrix (ldb = its row stride); columns j >= nr are never read.
///  - c: element (i, j) at c[i*ldc + j]; only the mr x nr tile is touched.
/// mr in 1...MR, nr in 1...NR, kc >= 0.
void kst_sgemm_ukr_avx512(int64_t kc, const float *ap, const float *b, int64_t ldb,
                          float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr);
void kst_sgemm_ukr_avx2(int64_t kc, const float *ap, const float *b, int64_t ldb,
                        float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr);
/// The AVX2 kernel for 4-row panels (MR = 4, mr in 1...4): small products whose row count a
/// 6-row tiling would leave over run on it instead of on zero rows.
void kst_sgemm_ukr_avx2_4(int64_t kc, const float *ap, const float *b, int64_t ldb,
                          float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr);
void kst_sgemm_ukr_portable(int64_t kc, const float *ap, const float *b, int64_t ldb,
                            float *c, int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr);

/// Packs an m x kc block of A (element (i, p) at a[i*rs + p*cs]) into ceil(m/MR) micro-panels of
/// kc*MR floats each (element (i, p) of panel q at dst[q*kc*MR + p*MR + i - q*MR]), zero padded.
/// Non-transposed row-major A: rs = lda, cs = 1. Transposed (stored k x m): rs = 1, cs = lda.
/// simd != 0 uses AVX2 transposes (only pass it when the CPU has AVX2).
void kst_sgemm_pack_a(int simd, int64_t MR, const float *a, int64_t rs, int64_t cs,
                      int64_t m, int64_t kc, float *dst);
/// Packs a kc x n block of B (element (p, j) at b[p*rs + j*cs]) into ceil(n/NR) micro-panels of
/// kc*NR floats each, zero padded. Non-transposed: rs = ldb, cs = 1; transposed: rs = 1, cs = ldb.
void kst_sgemm_pack_b(int simd, int64_t NR, const float *b, int64_t rs, int64_t cs,
                      int64_t kc, int64_t n, float *dst);

/// C[i*ldc + j] *= beta for an m x n block (beta == 0 stores zeros without reading C).
void kst_scale_matrix(float *c, int64_t ldc, int64_t m, int64_t n, float beta);

/// Element-wise y = f(x) over count floats (in place allowed: y == x).
/// exp: overflow -> +inf, underflow -> (sub)normal/0. log: x < 0 -> NaN, 0 -> -inf.
/// tanh, sigmoid: saturate exactly at large |x|. NaN inputs give NaN.
void kst_vexp_avx512(const float *x, float *y, int64_t n);
void kst_vexp_avx2(const float *x, float *y, int64_t n);
void kst_vexp_portable(const float *x, float *y, int64_t n);
// Softmax of one contiguous row of n floats, in place.
void kst_softmax_row_avx512(float *x, int64_t n);
void kst_softmax_row_avx2(float *x, int64_t n);
void kst_softmax_row_portable(float *x, int64_t n);
void kst_vlog_avx512(const float *x, float *y, int64_t n);
void kst_vlog_avx2(const float *x, float *y, int64_t n);
void kst_vlog_portable(const float *x, float *y, int64_t n);
void kst_vtanh_avx512(const float *x, float *y, int64_t n);
void kst_vtanh_avx2(const float *x, float *y, int64_t n);
void kst_vtanh_portable(const float *x, float *y, int64_t n);
void kst_vsigmoid_avx512(const float *x, float *y, int64_t n);
void kst_vsigmoid_avx2(const float *x, float *y, int64_t n);
void kst_vsigmoid_portable(const float *x, float *y, int64_t n);

/// Fused LSTM cell over one batch row (Keras gate order i, f, c, o; sigmoid gates, tanh
/// candidate and output). z holds the 4u pre-activations and receives the activated gates;
/// b (4u, or NULL) is added first. c1 = f*c0 + i*g, tc = tanh(c1), h = o*tc.
void kst_lstm_cell_avx512(float *z, const float *b, const float *c0, float *c1, float *tc, float *h, int64_t u);
void kst_lstm_cell_avx2(float *z, const float *b, const float *c0, float *c1, float *tc, float *h, int64_t u);
void kst_lstm_cell_portable(float *z, const float *b, const float *c0, float *c1, float *tc, float *h, int64_t u);

/// Spin-wait hint (x86 PAUSE) for the Swift thread pool.
void kst_cpu_relax(void);

#ifdef __cplusplus
}
#endif
#endif
