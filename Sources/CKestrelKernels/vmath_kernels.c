// Element-wise exp / log / tanh / sigmoid and the fused LSTM cell in three versions, instantiated
// from vmath_template.h and cell_template.h.
#include "CKestrelKernels.h"
#include <string.h>
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define KST_X86 1
#endif

// ------------------------------------------------------------------------------- AVX-512
#if KST_X86
#define VATTR __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma,avx2")))
#define VSUF avx512
#define VW 16
#define VT __m512
#define VI __m512i
#define VM __mmask16
#define VSET(a) _mm512_set1_ps(a)
#define VSETI(a) _mm512_set1_epi32(a)
#define VADD _mm512_add_ps
#define VSUB _mm512_sub_ps
#define VMUL _mm512_mul_ps
#define VDIV _mm512_div_ps
#define VFMA _mm512_fmadd_ps
#define VMAX _mm512_max_ps
#define VMIN _mm512_min_ps
#define VROUND(a) _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VCVTI _mm512_cvtps_epi32
#define VCVTF _mm512_cvtepi32_ps
#define VADDI _mm512_add_epi32
#define VSUBI _mm512_sub_epi32
#define VSRAI _mm512_srai_epi32
#define VSRLI _mm512_srli_epi32
#define VSLLI _mm512_slli_epi32
#define VANDI _mm512_and_si512
#define VORI _mm512_or_si512
#define VCASTF _mm512_castsi512_ps
#define VCASTI _mm512_castps_si512
#define VBLEND(m, a, b) _mm512_mask_blend_ps(m, a, b)
#define VLT(a, b) _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ)
#define VEQ(a, b) _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ)
#define VISNAN(a) _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q)
#define VABS(a) _mm512_abs_ps(a)
#define VNEG(a) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a), _mm512_set1_epi32((int)0x80000000)))
#define VCOPYSIGN(mag, s) _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(mag), \
    _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32((int)0x80000000))))
#define VLOAD _mm512_loadu_ps
#define VSTORE _mm512_storeu_ps
#define VTAIL(CORE, xp, yp, cnt) do { __mmask16 k_ = (__mmask16)((1u << (cnt)) - 1u); \
    _mm512_mask_storeu_ps(yp, k_, CORE(_mm512_maskz_loadu_ps(k_, xp))); } while (0)
#include "vmath_template.h"
#include "cell_template.h"
#include "vmath_undef.h"

// ---------------------------------------------------------------------------------- AVX2
#define VATTR __attribute__((target("avx2,fma")))
#define VSUF avx2
#define VW 8
#define VT __m256
#define VI __m256i
#define VM __m256
#define VSET(a) _mm256_set1_ps(a)
#define VSETI(a) _mm256_set1_epi32(a)
#define VADD _mm256_add_ps
#define VSUB _mm256_sub_ps
#define VMUL _mm256_mul_ps
#define VDIV _mm256_div_ps
#define VFMA _mm256_fmadd_ps
#define VMAX _mm256_max_ps
#define VMIN _mm256_min_ps
#define VROUND(a) _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define VCVTI _mm256_cvtps_epi32
#define VCVTF _mm256_cvtepi32_ps
#define VADDI _mm256_add_epi32
#define VSUBI _mm256_sub_epi32
#define VSRAI _mm256_srai_epi32
#define VSRLI _mm256_srli_epi32
#define VSLLI _mm256_slli_epi32
#define VANDI _mm256_and_si256
#define VORI _mm256_or_si256
#define VCASTF _mm256_castsi256_ps
#define VCASTI _mm256_castps_si256
#define VBLEND(m, a, b) _mm256_blendv_ps(a, b, m)
#define VLT(a, b) _mm256_cmp_ps(a, b, _CMP_LT_OQ)
#define VEQ(a, b) _mm256_cmp_ps(a, b, _CMP_EQ_OQ)
#define VISNAN(a) _mm256_cmp_ps(a, a, _CMP_UNORD_Q)
#define VABS(a) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a)
#define VNEG(a) _mm256_xor_ps(a, _mm256_set1_ps(-0.0f))
#define VCOPYSIGN(mag, s) _mm256_or_ps(mag, _mm256_and_ps(s, _mm256_set1_ps(-0.0f)))
#define VLOAD _mm256_loadu_ps
#define VSTORE _mm256_storeu_ps
#define VTAIL(CORE, xp, yp, cnt) do { float tx_[8] = {0}, ty_[8]; memcpy(tx_, xp, (size_t)(cnt) * 4); \
    _mm256_storeu_ps(ty_, CORE(_mm256_loadu_ps(tx_))); memcpy(yp, ty_, (size_t)(cnt) * 4); } while (0)
#include "vmath_template.h"
#include "cell_template.h"
#include "vmath_undef.h"
#else
void kst_vexp_avx512(const float *x, float *y, int64_t n) { kst_vexp_portable(x, y, n); }
void kst_vexp_avx2(const float *x, float *y, int64_t n) { kst_vexp_portable(x, y, n); }
void kst_vlog_avx512(const float *x, float *y, int64_t n) { kst_vlog_portable(x, y, n); }
void kst_vlog_avx2(const float *x, float *y, int64_t n) { kst_vlog_portable(x, y, n); }
void kst_vtanh_avx512(const float *x, float *y, int64_t n) { kst_vtanh_portable(x, y, n); }
void kst_vtanh_avx2(const float *x, float *y, int64_t n) { kst_vtanh_portable(x, y, n); }
void kst_vsigmoid_avx512(const float *x, float *y, int64_t n) { kst_vsigmoid_portable(x, y, n); }
void kst_vsigmoid_avx2(const float *x, float *y, int64_t n) { kst_vsigmoid_portable(x, y, n); }
void kst_lstm_cell_avx512(float *z, const float *b, const float *c0, float *c1, float *tc, float *h, int64_t u) {
    kst_lstm_cell_portable(z, b, c0, c1, tc, h, u);
}
void kst_lstm_cell_avx2(float *z, const float *b, const float *c0, float *c1, float *tc, float *h, int64_t u) {
    kst_lstm_cell_portable(z, b, c0, c1, tc, h, u);
}
#endif

// ------------------------------------------------------------------------------ portable
// Scalar lanes: same algorithm, plain C (the compiler may auto-vectorise the loops).
static inline float kst_f_from_i(int32_t i) { float f; memcpy(&f, &i, 4); return f; }
static inline int32_t kst_i_from_f(float f) { int32_t i; memcpy(&i, &f, 4); return i; }
static inline float kst_fmaxp(float a, float x) { return a > x ? a : x; }   // NaN x -> x
static inline float kst_fminp(float a, float x) { return a < x ? a : x; }
static inline float kst_rint(float x) { return __builtin_rintf(x); }
static inline float kst_copysign(float m, float s) {
    return kst_f_from_i(kst_i_from_f(m) | (kst_i_from_f(s) & (int32_t)0x80000000));
}
static inline float kst_fabs(float x) { return kst_f_from_i(kst_i_from_f(x) & 0x7FFFFFFF); }

#define VATTR
#define VSUF portable
#define VW 1
#define VT float
#define VI int32_t
#define VM int
#define VSET(a) ((float)(a))
#define VSETI(a) ((int32_t)(a))
#define VADD(a, b) ((a) + (b))
#define VSUB(a, b) ((a) - (b))
#define VMUL(a, b) ((a) * (b))
#define VDIV(a, b) ((a) / (b))
#define VFMA(a, b, c) __builtin_fmaf(a, b, c)
#define VMAX kst_fmaxp
#define VMIN kst_fminp
#define VROUND kst_rint
#define VCVTI(a) ((int32_t)(a))
#define VCVTF(a) ((float)(a))
#define VADDI(a, b) ((a) + (b))
#define VSUBI(a, b) ((a) - (b))
#define VSRAI(a, s) ((a) >> (s))
#define VSRLI(a, s) ((int32_t)((uint32_t)(a) >> (s)))
#define VSLLI(a, s) ((int32_t)((uint32_t)(a) << (s)))
#define VANDI(a, b) ((a) & (b))
#define VORI(a, b) ((a) | (b))
#define VCASTF kst_f_from_i
#define VCASTI kst_i_from_f
#define VBLEND(m, a, b) ((m) ? (b) : (a))
#define VLT(a, b) ((a) < (b))
#define VEQ(a, b) ((a) == (b))
#define VISNAN(a) ((a) != (a))
#define VABS kst_fabs
#define VNEG(a) (-(a))
#define VCOPYSIGN kst_copysign
#define VLOAD(p) (*(p))
#define VSTORE(p, v) (*(p) = (v))
#define VTAIL(CORE, xp, yp, cnt) do { } while (0)
#include "vmath_template.h"
#include "cell_template.h"
