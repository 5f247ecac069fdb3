/// 3-D channels-last convolution (Keras cross-correlation, `Conv3D`): x (N, D, H, W, cin)
/// with a kernel (kd, kh, kw, cin/groups, cout) and an optional bias (cout) gives
/// (N, OD, OH, OW, cout) per `geometry`; with groups > 1, input channel block i only feeds
/// output channel block i. Grouped 1-D and 2-D convolutions run here with unit leading axes.
/// One tape op whose backward gives the input, kernel and bias gradients.
public func conv3d(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: VolumeGeometry) -> Tensor {
    checkedPrecondition(x.shape == g.inputShape, "conv3d: input shape \(x.shape) differs from the geometry's \(g.inputShape)")
    checkedPrecondition(kernel.rank == 5 && Array(kernel.shape[0..<3]) == g.kernel && kernel.shape[3] == g.groupChannels
                        && kernel.shape[4] % g.groups == 0, "conv3d: kernel shape \(kernel.shape) does not match the geometry")
    let cout = kernel.shape[4]
    checkedPrecondition(bias == nil || bias?.shape == [cout], "conv3d: bias shape \(bias?.shape ?? []), expected [\(cout)]")
    if g.groups == 1 && !g.isPointwise { return DepthUnfolding.convolve(x, kernel, bias: bias, geometry: g) }
    let y = Tensor(shape: [g.batch] + g.outSize + [cout]) { out, _ in
        Convolution3DKernels.forward(x: x.storage.pointer, w: kernel.storage.pointer, bias: bias.map { UnsafePointer($0.storage.pointer) },
                                     y: out, geometry: g, outChannels: cout)
    }
    let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
    return y.recorded(from: inputs) { grad in
        let needB = bias?.requiresGradient ?? false
        let dx = x.requiresGradient ? Tensor(shape: x.shape) { out, _ in
            Convolution3DKernels.inputGradient(grad: grad.storage.pointer, w: kernel.storage.pointer, dx: out, geometry: g, outChannels: cout)
        } : nil
        let dw = kernel.requiresGradient ? Tensor(shape: kernel.shape) { _, _ in } : nil
        let db = needB ? Tensor(shape: [cout]) { _, _ in } : nil
        if dw != nil || db != nil {
            Convolution3DKernels.weightGradients(x: x.storage.pointer, grad: grad.storage.pointer, dw: dw?.storage.pointer,
                                                 db: db?.storage.pointer, geometry: g, outChannels: cout)
        }
        return bias == nil ? [dx, dw] : [dx, dw, db]
    }
}

/// 3-D transposed convolution (Keras `Conv3DTranspose`; `Conv1DTranspose` with unit
/// leading axes): the adjoint of `conv3d` with the same kernel, mapping x (N, d, h, w, cin)
/// to (N, D, H, W, cout) where `geometry` describes the ungrouped forward convolution from
/// (N, D, H, W, cout) to (N, d, h, w, cin). The kernel is (kd, kh, kw, cout, cin), Keras's
/// layout. Bias (cout) is added at the end.
public func conv3dTranspose(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: VolumeGeometry) -> Tensor {
    checkedPrecondition(g.groups == 1, "conv3dTranspose: grouped geometry \(g)")
    let cin = kernel.shape.last ?? 0
    checkedPrecondition(x.shape == [g.batch] + g.outSize + [cin], "conv3dTranspose: input shape \(x.shape) does not match the geometry")
    checkedPrecondition(kernel.shape == g.kernel + [g.inChannels, cin], "conv3dTranspose: kernel shape \(kernel.shape) does not match the geometry")
    let cout = g.inChannels
    checkedPrecondition(bias == nil || bias?.shape == [cout], "conv3dTranspose: bias shape \(bias?.shape ?? []), expected [\(cout)]")
    let y = Tensor(shape: g.inputShape) { out, _ in
        Convolution3DKernels.inputGradient(grad: x.storage.pointer, w: kernel.storage.pointer, dx: out, geometry: g, outChannels: cin)
        if let bias {
            ConvolutionKernels.epilogue(out, rows: g.batch * g.inPositions, cout: cout, bias: UnsafePointer(bias.storage.pointer), relu: false)
        }
    }
    let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
    return y.recorded(from: inputs) { grad in
        let dx = x.requiresGradient ? Tensor(shape: x.shape) { out, _ in
            Convolution3DKernels.forward(x: grad.storage.pointer, w: kernel.storage.pointer, bias: nil, y: out, geometry: g, outChannels: cin)
        } : nil
        let dw = kernel.requiresGradient ? Tensor(shape: kernel.shape) { out, _ in
            Convolution3DKernels.weightGradients(x: grad.storage.pointer, grad: x.storage.pointer, dw: out, db: nil, geometry: g, outChannels: cin)
        } : nil
        guard let bias else { return [dx, dw] }
        let db = bias.requiresGradient ? grad.reshaped([-1, cout]).sum(alongAxis: 0) : nil
        return [dx, dw, db]
    }
}
