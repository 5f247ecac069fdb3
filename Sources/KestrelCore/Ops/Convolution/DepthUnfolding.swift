/// A 3-D convolution as a 2-D one: the depth window is unfolded into channels, so that
/// x (N, D, H, W, cin) becomes (N·OD, H, W, kd·cin) where output depth od's planes hold the
/// kd input planes its window reads (zeros in the depth padding), and the kernel
/// (kd, kh, kw, cin, cout) becomes (kh, kw, kd·cin, cout). The 2-D convolution's direct and
/// GEMM kernels then do the arithmetic, forward and backward, and the unfolding's backward
/// adds each plane's gradient back onto the input depth it came from.
enum DepthUnfolding {
    /// `conv3d` for an ungrouped geometry, through `conv2d`.
    static func convolve(_ x: Tensor, _ kernel: Tensor, bias: Tensor?, geometry g: VolumeGeometry) -> Tensor {
        let cout = kernel.shape[4], (kd, kh, kw) = (g.kernel[0], g.kernel[1], g.kernel[2])
        let planes = unfold(x, g)
        let kernel2d = kernel.permuted([1, 2, 0, 3, 4]).reshaped([kh, kw, kd * g.inChannels, cout])
        let y = conv2d(planes, kernel2d, bias: bias, geometry: planeGeometry(g))
        return y.reshaped([g.batch] + g.outSize + [cout])
    }

    /// The 2-D geometry over the unfolded planes: the volume's rows and columns, with its
    /// padding and output size.
    static func planeGeometry(_ g: VolumeGeometry) -> ConvolutionGeometry {
        ConvolutionGeometry(batch: g.batch * g.outSize[0], height: g.size[1], width: g.size[2], inChannels: g.kernel[0] * g.inChannels,
                            kernelHeight: g.kernel[1], kernelWidth: g.kernel[2], strideY: g.strides[1], strideX: g.strides[2],
                            dilationY: g.dilation[1], dilationX: g.dilation[2], padTop: g.padBefore[1], padLeft: g.padBefore[2],
                            outHeight: g.outSize[1], outWidth: g.outSize[2])
    }

    /// x (N, D, H, W, cin) unfolded to (N·OD, H, W, kd·cin); one tape op.
    static func unfold(_ x: Tensor, _ g: VolumeGeometry) -> Tensor {
        let kd = g.kernel[0], c = g.inChannels
        let y = Tensor(shape: [g.batch * g.outSize[0], g.size[1], g.size[2], kd * c]) { out, _ in
            Parallel.forEach(g.batch * g.outSize[0]) { plane in
                copyPlanes(g, plane: plane) { depthOffset, sourcePlane in
                    let dst = out + plane * g.size[1] * g.size[2] * kd * c + depthOffset
                    guard let sourcePlane else {
                        for cell in 0..<(g.size[1] * g.size[2]) { (dst + cell * kd * c).initialize(repeating: 0, count: c) }
                        return
                    }
                    let src = UnsafePointer(x.storage.pointer) + sourcePlane
                    for cell in 0..<(g.size[1] * g.size[2]) {
                        WindowWalk.copy(src + cell * c, to: dst + cell * kd * c, count: c)
                    }
                }
            }
        }
        return y.recorded(from: [x]) { grad in
            [Tensor(shape: x.shape) { dx, _ in
                let perSample = g.inPositions * c
                Parallel.forEach(g.batch) { n in
                    (dx + n * perSample).initialize(repeating: 0, count: perSample)
                    for od in 0..<g.outSize[0] {
                        let plane = n * g.outSize[0] + od
                        copyPlanes(g, plane: plane) { depthOffset, sourcePlane in
                            guard let sourcePlane else { return }
                            let src = UnsafePointer(grad.storage.pointer) + plane * g.size[1] * g.size[2] * kd * c + depthOffset
                            for cell in 0..<(g.size[1] * g.size[2]) {
                                WindowWalk.add(src + cell * kd * c, to: dx + sourcePlane + cell * c, count: c)
                            }
                        }
                    }
                }
            }]
        }
    }

    /// For each depth tap of unfolded plane `plane` (sample n, output depth od): the channel
    /// offset of its slot, and the offset of the input depth plane it copies, or nil in the
    /// depth padding.
    @inline(__always)
    private static func copyPlanes(_ g: VolumeGeometry, plane: Int, _ body: (_ depthOffset: Int, _ sourcePlane: Int?) -> Void) {
        let n = plane / g.outSize[0], od = plane % g.outSize[0]
        let planeSize = g.size[1] * g.size[2] * g.inChannels
        for a in 0..<g.kernel[0] {
            let id = od * g.strides[0] - g.padBefore[0] + a * g.dilation[0]
            body(a * g.inChannels, id >= 0 && id < g.size[0] ? (n * g.size[0] + id) * planeSize : nil)
        }
    }
}
