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

#endif
