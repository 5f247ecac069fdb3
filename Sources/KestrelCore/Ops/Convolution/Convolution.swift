/// 2-D channels-last convolution (Keras cross-correlation): x (N, H, W, cin) with a kernel
/// (kh, kw, cin, cout) and an optional bias (cout) gives (N, OH, OW, cout) per `geometry`.
/// `relu` fuses max(·, 0) into the output (its gradient masks the cotangent), saving a
/// pass over memory. One tape op; its backward computes the input, kernel and bias
/// gradients in one sweep (`ConvolutionKernels.backward`).
public func conv2d(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: ConvolutionGeometry,
                   relu: Bool = false) -> Tensor {
    checkedPrecondition(x.shape == g.inputShape, "conv2d: input shape \(x.shape) differs from the geometry's \(g.inputShape)")
    checkedPrecondition(kernel.rank == 4 && kernel.shape[0] == g.kernelHeight && kernel.shape[1] == g.kernelWidth
                 && kernel.shape[2] == g.inChannels, "conv2d: kernel shape \(kernel.shape) does not match the geometry")
    let cout = kernel.shape[3]
    checkedPrecondition(bias == nil || bias!.shape == [cout], "conv2d: bias shape \(bias!.shape), expected [\(cout)]")
    let y = Tensor(shape: [g.batch, g.outHeight, g.outWidth, cout]) { out, _ in
        ConvolutionKernels.forward(x: x.storage.pointer, w: kernel.storage.pointer, bias: bias.map { UnsafePointer($0.storage.pointer) },
                                   relu: relu, y: out, geometry: g, outChannels: cout)
    }
    let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
    return y.recorded(from: inputs) { grad in
        let needX = x.requiresGradient, needW = kernel.requiresGradient, needB = bias?.requiresGradient ?? false
        let xs = x.storage, ws = kernel.storage, gs = grad.storage, ys = y.storage
        func run(_ dxp: UnsafeMutablePointer<Float>?, _ dwp: UnsafeMutablePointer<Float>?, _ dbp: UnsafeMutablePointer<Float>?) {
            ConvolutionKernels.backward(x: UnsafePointer(xs.pointer), w: ws.pointer, g: gs.pointer,
                                        reluOutput: relu ? UnsafePointer(ys.pointer) : nil,
                                        dx: dxp, dw: dwp, db: dbp, geometry: g, outChannels: cout)
        }
        // Allocate the wanted gradients, then fill them in one sweep.
        let dx = needX ? Tensor(shape: x.shape) { _, _ in } : nil
        let dw = needW ? Tensor(shape: kernel.shape) { _, _ in } : nil
        let db = needB ? Tensor(shape: [cout]) { _, _ in } : nil
        run(dx?.storage.pointer, dw?.storage.pointer, db?.storage.pointer)
        return bias == nil ? [dx, dw] : [dx, dw, db]
    }
}

/// 2-D transposed convolution (Keras `Conv2DTranspose`): the adjoint of `conv2d` with the
/// same kernel, mapping x (N, h, w, cin) to (N, H, W, cout) where `geometry` describes the
/// forward convolution from (N, H, W, cout) to (N, h, w, cin). The kernel is
/// (kh, kw, cout, cin), Keras's layout. Bias (cout) is added at the end.
public func conv2dTranspose(_ x: Tensor, _ kernel: Tensor, bias: Tensor? = nil, geometry g: ConvolutionGeometry) -> Tensor {
    let cin = kernel.shape[3]
    checkedPrecondition(x.shape == [g.batch, g.outHeight, g.outWidth, cin], "conv2dTranspose: input shape \(x.shape) does not match the geometry")
    checkedPrecondition(kernel.shape == [g.kernelHeight, g.kernelWidth, g.inChannels, cin], "conv2dTranspose: kernel shape \(kernel.shape) does not match the geometry")
    let cout = g.inChannels
    var y = Tensor(shape: g.inputShape) { out, _ in
        ConvolutionKernels.backward(x: nil, w: kernel.storage.pointer, g: x.storage.pointer, reluOutput: nil,
                                    dx: out, dw: nil, db: nil, geometry: g, outChannels: cin)
        if let bias {
            let b = bias.storage.pointer
            for r in 0..<g.batch * g.height * g.width {
                let row = out + r * cout
                for j in 0..<cout { row[j] += b[j] }
            }
        }
    }
    let inputs = bias.map { [x, kernel, $0] } ?? [x, kernel]
    y = y.recorded(from: inputs) { grad in
        let xs = x.storage, ws = kernel.storage, gs = grad.storage
        let dx = x.requiresGradient ? Tensor(shape: x.shape) { out, _ in
            ConvolutionKernels.forward(x: gs.pointer, w: ws.pointer, bias: nil, relu: false, y: out, geometry: g, outChannels: cin)
        } : nil
        let dw = kernel.requiresGradient ? Tensor(shape: kernel.shape) { out, _ in
            ConvolutionKernels.backward(x: gs.pointer, w: ws.pointer, g: xs.pointer, reluOutput: nil,
                                        dx: nil, dw: out, db: nil, geometry: g, outChannels: cin)
        } : nil
        guard let bias else { return [dx, dw] }
        let db = bias.requiresGradient ? grad.reshaped([-1, cout]).sum(alongAxis: 0) : nil
        return [dx, dw, db]
    }
    return y
}
