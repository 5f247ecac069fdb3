import Foundation
import KestrelCore
import KestrelNN

/// Convolutions, pooling, upsampling, padding and cropping. ONNX convolves and pools
/// channels-first, so each such op sits between a transpose to NC… and one back to N…C.
extension ONNXLowering {
    func lowerConvolution() throws -> [String]? {
        switch layer {
        case let l as ConvolutionLayer:
            var pads: [(String, ONNXGraph.Attribute)]
            switch l.padding {
            case .valid: pads = []
            case .same: pads = [("auto_pad", .string("SAME_UPPER"))]
            case .causal: pads = [("pads", .ints([(l.kernelSize[0] - 1) * l.dilationRate[0], 0]))]
            }
            let y = channelsFirst { input in
                graph.op("Conv", [input, convolutionKernel(l.kernel!, spatial: l.spatialRank)] + (l.useBias ? [weight(l.bias)] : []), base,
                         [("kernel_shape", .ints(l.kernelSize)), ("strides", .ints(l.strides)),
                          ("dilations", .ints(l.dilationRate)), ("group", .int(l.groups))] + pads)
            }
            return [try activation(l.activation, y)]
        case let l as DepthwiseConv2D:
            let channels = inputs[0].shape[3]
            let y = channelsFirst { input in
                graph.op("Conv", [input, depthwiseKernel(l.kernel!)] + (l.useBias ? [weight(l.bias)] : []), base,
                         [("kernel_shape", .ints([l.kernelSize.0, l.kernelSize.1])), ("strides", .ints([l.strides.0, l.strides.1])),
                          ("dilations", .ints([l.dilationRate.0, l.dilationRate.1])), ("group", .int(channels))]
                         + samePadding(l.padding))
            }
            return [try activation(l.activation, y)]
        case let l as SeparableConv2D:
            let channels = inputs[0].shape[3]
            let y = channelsFirst { input in
                let depthwise = graph.op("Conv", [input, depthwiseKernel(l.depthwiseKernel!)], base + "_depthwise",
                                         [("kernel_shape", .ints([l.kernelSize.0, l.kernelSize.1])), ("strides", .ints([l.strides.0, l.strides.1])),
                                          ("dilations", .ints([l.dilationRate.0, l.dilationRate.1])), ("group", .int(channels))]
                                         + samePadding(l.padding))
                return graph.op("Conv", [depthwise, convolutionKernel(l.pointwiseKernel!, spatial: 2)] + (l.useBias ? [weight(l.bias)] : []),
                                base, [("kernel_shape", .ints([1, 1]))])
            }
            return [try activation(l.activation, y)]
        case let l as Conv2DTranspose:
            // Kestrel's map is (n − 1)·s + span cells (at least n·s); `same` keeps n·s of them,
            // cropping (span − s)/2 before and the rest after.
            let kernel = [l.kernelSize.0, l.kernelSize.1], stride = [l.strides.0, l.strides.1]
            let dilation = [l.dilationRate.0, l.dilationRate.1]
            let spans = zip(kernel, dilation).map { ($0 - 1) * $1 + 1 }
            let extra = zip(spans, stride).map { Swift.max($1 - $0, 0) }
            let crop = l.padding == .same ? zip(spans, stride).map { Swift.max($0 - $1, 0) } : [0, 0]
            let pads = crop.map { $0 / 2 } + crop.map { $0 - $0 / 2 }
            let y = channelsFirst { input in
                graph.op("ConvTranspose", [input, graph.weight(l.kernel!.value.permuted([3, 2, 0, 1]), l.kernel!.path)]
                                          + (l.useBias ? [weight(l.bias)] : []), base,
                         [("kernel_shape", .ints(kernel)), ("strides", .ints(stride)), ("dilations", .ints(dilation)),
                          ("pads", .ints(pads)), ("output_padding", .ints(extra))])
            }
            return [try activation(l.activation, y)]
        case let l as PoolingLayer:
            let op = l.reduction == .max ? "MaxPool" : "AveragePool"
            return [channelsFirst { input in
                graph.op(op, [input], base, [("kernel_shape", .ints(l.poolSize)), ("strides", .ints(l.strides))] + samePadding(l.padding))
            }]
        case let l as GlobalPoolingLayer:
            return [graph.op(l.takesMaximum ? "ReduceMax" : "ReduceMean", [x], base,
                             [("axes", .ints(Array(1...l.spatial))), ("keepdims", .int(l.keepdims ? 1 : 0))])]
        case let l as UpSampling2D:
            let scales = graph.weight([1, Float(l.size.0), Float(l.size.1), 1], shape: [4], base + "/scales")
            let mode: [(String, ONNXGraph.Attribute)] = l.interpolation == .nearest
                ? [("mode", .string("nearest")), ("coordinate_transformation_mode", .string("asymmetric")), ("nearest_mode", .string("floor"))]
                : [("mode", .string("linear")), ("coordinate_transformation_mode", .string("half_pixel"))]
            return [graph.op("Resize", [x, "", scales], base, mode)]
        case let l as UpSampling1D:
            let scales = graph.weight([1, Float(l.size), 1], shape: [3], base + "/scales")
            return [graph.op("Resize", [x, "", scales], base, [("mode", .string("nearest")),
                                                              ("coordinate_transformation_mode", .string("asymmetric")),
                                                              ("nearest_mode", .string("floor"))])]
        case let l as SpatialResize:
            let shape = inputs[0].shape
            if l is ZeroPadding1D || l is ZeroPadding2D || l is ZeroPadding3D {
                let before = [0] + l.amounts.map(\.0) + [0], after = [0] + l.amounts.map(\.1) + [0]
                return [graph.op("Pad", [x, graph.int64s(before + after)], base, [("mode", .string("constant"))])]
            }
            let axes = Array(1...l.amounts.count)
            let starts = l.amounts.map(\.0), ends = zip(axes, l.amounts).map { shape[$0] - $1.1 }
            return [graph.op("Slice", [x, graph.int64s(starts), graph.int64s(ends), graph.int64s(axes)], base)]
        default:
            return nil
        }
    }

    private func samePadding(_ padding: ConvolutionPadding) -> [(String, ONNXGraph.Attribute)] {
        padding == .same ? [("auto_pad", .string("SAME_UPPER"))] : []
    }

    /// `body` applied to the input moved to channels-first; its result moved back.
    private func channelsFirst(_ body: (String) -> String) -> String {
        let spatial = rank - 2
        let toFirst = [0, rank - 1] + Array(1...spatial)
        let toLast = [0] + Array(2..<rank) + [1]
        let moved = graph.op("Transpose", [x], base + "_nc", [("perm", .ints(toFirst))])
        return graph.op("Transpose", [body(moved)], base, [("perm", .ints(toLast))])
    }

    /// Keras's (k…, in, out) kernel as ONNX's (out, in, k…).
    private func convolutionKernel(_ p: Parameter, spatial: Int) -> String {
        graph.weight(p.value.permuted([spatial + 1, spatial] + Array(0..<spatial)), p.path)
    }

    /// Keras's depthwise (kh, kw, in, multiplier) kernel as ONNX's grouped (in · multiplier, 1, kh, kw).
    private func depthwiseKernel(_ p: Parameter) -> String {
        let s = p.value.shape
        return graph.weight(p.value.permuted([2, 3, 0, 1]).reshaped([s[2] * s[3], 1, s[0], s[1]]), p.path)
    }
}
