// Channels-last (NHWC) convolution helpers: the im2col gather that turns convolution
// windows into GEMM rows, and its adjoint col2im scatter-add. Used by Kestrel's conv ops.
#ifndef KST_CONV_KERNELS_H
#define KST_CONV_KERNELS_H

#include <stdint.h>

/// One 2-D convolution's index arithmetic: input H x W x C, window KH x KW with strides
/// (SY, SX), dilation (DY, DX), padding PT rows before / PL columns before, output OH x OW.
typedef struct {
    int64_t H, W, C, KH, KW, SY, SX, DY, DX, PT, PL, OH, OW;
} kst_conv_geom;

/// Writes GEMM rows for output pixels p0 ..< p1 of the flattened (sample, oy, ox) index:
/// row (p - p0) holds the window of pixel p as KH*KW*C floats ordered (ky, kx, c), with
/// zeros where the window lies in the padding. x is the whole batch, (N, H, W, C).
void kst_im2col_nhwc(const float *x, const kst_conv_geom *g, int64_t p0, int64_t p1, float *col);

/// The adjoint: adds row (p - p0) of col into the input pixels its window covers
/// (padding cells are skipped). dx is the whole batch, (N, H, W, C).
void kst_col2im_nhwc(const float *col, const kst_conv_geom *g, int64_t p0, int64_t p1, float *dx);

/// Direct convolution (no im2col) for samples n0 ..< n1: y[n, oy, ox, o] = bias[o] +
/// Σ x[n, iy, ix, c]·w[ky, kx, c, o], with max(·, 0) when relu != 0. w is (KH, KW, C, cout);
/// bias may be NULL. Each sample is first copied into a zero-padded buffer so the inner
/// loops have no bounds checks; the kernel is vectorised over output channels (8 per AVX2
/// register; the weights are re-laid out with cout rounded up to 8) with a register block
/// of output pixels. `scratch` holds kst_conv_direct_scratch(g, cout) floats. Needs AVX2+FMA.
void kst_conv_direct_avx2(const float *x, const float *w, const float *bias, int relu, float *y,
                          const kst_conv_geom *g, int64_t cout, int64_t n0, int64_t n1, float *scratch);
int64_t kst_conv_direct_scratch(const kst_conv_geom *g, int64_t cout);

/// The kernel gradient of the same convolution without im2col, for samples n0 ..< n1:
/// dw[ky, kx, c, o] += Σ x[n, iy, ix, c]·gy[n, oy, ox, o] (dw accumulates). Samples are
/// zero-padded into `scratch` (kst_conv_direct_scratch floats); 8 input channels x 8
/// output channels are accumulated in registers per window tap. Needs AVX2 + FMA.
void kst_conv_weight_grad_direct_avx2(const float *x, const float *gy, float *dw, const kst_conv_geom *g, int64_t cout,
                                      int64_t n0, int64_t n1, float *scratch);
// Each loop below comes in _avx512, _avx2 and _portable versions (the same C vectorised for
// each instruction set); Swift picks one by CPU features.
#define KST_ISA_VERSIONS(RET, NAME, ARGS) RET NAME##avx512 ARGS; RET NAME##avx2 ARGS; RET NAME##portable ARGS;

/// out[i] = y[i] > 0 ? g[i] : 0 — the cotangent through a ReLU, given its output y.
KST_ISA_VERSIONS(void, kst_relu_mask_, (const float *y, const float *g, float *out, int64_t n))

/// acc[j] += Σ_r m[r*cols + j]: column sums of a rows x cols matrix (bias gradients).
KST_ISA_VERSIONS(void, kst_add_columns_, (const float *m, int64_t rows, int64_t cols, float *acc))

/// The window values of output pixels p0 ..< p1 (flat N*OH*OW index) packed as an SGEMM
/// micro-panel: taps t0 ..< t0+MR of pixel p at dst[(p - p0)*MR + t - t0], zero beyond the
/// window's last tap or outside the input. With the cotangent rows as B this gives the
/// kernel gradient of a thin window (k = KH*KW*C ≤ a few MR) without im2col. MR ≤ 64.
void kst_conv_window_panel(const float *x, const kst_conv_geom *g, int64_t p0, int64_t p1, int64_t t0, int64_t MR,
                           float *dst);

/// Max pooling of samples n0 ..< n1 (window KH x KW, strides, padding PT/PL; padded cells
/// never win), NHWC, vectorised over channels. When arg is not NULL it receives, per output
/// element, the in-sample pixel index iy*W + ix of the first maximal cell of its window.
KST_ISA_VERSIONS(void, kst_maxpool_forward_, (const float *x, float *y, int32_t *arg, const kst_conv_geom *g,
                                              int64_t n0, int64_t n1))

/// Its gradient for samples n0 ..< n1: each output element's cotangent goes to the cell its
/// forward recorded in arg. dx is overwritten.
KST_ISA_VERSIONS(void, kst_maxpool_backward_, (const int32_t *arg, const float *gy, float *dx, const kst_conv_geom *g,
                                               int64_t n0, int64_t n1))

#endif
