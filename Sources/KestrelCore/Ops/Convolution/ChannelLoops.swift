import CKestrelKernels

/// The C loops of pooling and of the ReLU-masked convolution backward, in the version built
/// for the active instruction set (the same loops vectorised for AVX-512, AVX2 or baseline).
package enum ChannelLoops {
    package static var reluMask: @convention(c) (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void {
        CPUFeatures.pick(avx512: kst_relu_mask_avx512, avx2: kst_relu_mask_avx2, portable: kst_relu_mask_portable)
    }

    package static var addColumns: @convention(c) (UnsafePointer<Float>?, Int64, Int64, UnsafeMutablePointer<Float>?) -> Void {
        CPUFeatures.pick(avx512: kst_add_columns_avx512, avx2: kst_add_columns_avx2, portable: kst_add_columns_portable)
    }

    package static var maxPoolForward: @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Int32>?,
                                               UnsafePointer<kst_conv_geom>?, Int64, Int64) -> Void {
        CPUFeatures.pick(avx512: kst_maxpool_forward_avx512, avx2: kst_maxpool_forward_avx2, portable: kst_maxpool_forward_portable)
    }

    package static var maxPoolBackward: @convention(c) (UnsafePointer<Int32>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
                                                UnsafePointer<kst_conv_geom>?, Int64, Int64) -> Void {
        CPUFeatures.pick(avx512: kst_maxpool_backward_avx512, avx2: kst_maxpool_backward_avx2, portable: kst_maxpool_backward_portable)
    }
}
