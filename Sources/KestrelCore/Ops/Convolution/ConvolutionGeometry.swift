/// Keras's padding modes for convolutions and pooling.
public enum ConvolutionPadding: String, Sendable {
    /// No padding; incomplete windows are dropped.
    case valid
    /// Output size ceil(n / stride); the odd cell of padding goes after (bottom/right).
    case same
    /// Conv1D only: (k - 1) · dilation zeros before the sequence, then `valid`.
    case causal

    /// Reads a Keras `padding` string, naming the layer on error.
    package init(keras value: String, layer: String, allowCausal: Bool = false) throws {
        guard let p = ConvolutionPadding(rawValue: value.lowercased()), p != .causal || allowCausal else {
            throw KestrelError(.invalidArgument, "\(layer): padding must be \(allowCausal ? "\"valid\", \"same\" or \"causal\"" : "\"valid\" or \"same\""), got \"\(value)\"")
        }
        self = p
    }

    /// (before, after, output size) along one spatial axis of size `n` for a window of `k`
    /// taps `dilation` apart moved by `stride` — the size rules of Keras/TensorFlow.
    package func amounts(size n: Int, kernel k: Int, stride s: Int, dilation d: Int) -> (before: Int, after: Int, output: Int) {
        let span = (k - 1) * d + 1
        switch self {
        case .valid:
            return (0, 0, n >= span ? (n - span) / s + 1 : 0)
        case .same:
            let out = (n + s - 1) / s
            let total = Swift.max((out - 1) * s + span - n, 0)
            return (total / 2, total - total / 2, out)
        case .causal:
            let before = span - 1
            return (before, 0, (n + before - span) / s + 1)
        }
    }
}

/// The index arithmetic of one 2-D channels-last convolution (or pooling window): batch,
/// spatial sizes, window, strides, dilation, padding before each axis and output size.
/// 1-D layers use it with one row. Ops take it ready-made so the layers and the kernels
/// agree on one set of numbers.
public struct ConvolutionGeometry: Equatable, Sendable {
    public var batch, height, width, inChannels: Int
    public var kernelHeight, kernelWidth: Int
    public var strideY, strideX: Int
    public var dilationY, dilationX: Int
    public var padTop, padLeft: Int
    public var outHeight, outWidth: Int

    /// Geometry for an input of shape (batch, height, width, channels) and a window.
    /// Throws when the window does not fit the padded input, naming `layer` and the sizes.
    public init(inputShape s: [Int], kernel: (Int, Int), strides: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                padding: ConvolutionPadding, layer: String) throws {
        checkedPrecondition(s.count == 4, "ConvolutionGeometry: rank-4 input expected, got \(s)")
        guard kernel.0 > 0, kernel.1 > 0, strides.0 > 0, strides.1 > 0, dilation.0 > 0, dilation.1 > 0 else {
            throw KestrelError(.invalidArgument, "\(layer): kernel size \(kernel), strides \(strides) and dilation \(dilation) must all be positive")
        }
        batch = s[0]; height = s[1]; width = s[2]; inChannels = s[3]
        kernelHeight = kernel.0; kernelWidth = kernel.1
        strideY = strides.0; strideX = strides.1
        dilationY = dilation.0; dilationX = dilation.1
        // Causal padding applies to the time axis (the columns of a one-row 1-D input).
        let rows = (padding == .causal ? ConvolutionPadding.valid : padding)
            .amounts(size: height, kernel: kernel.0, stride: strides.0, dilation: dilation.0)
        let cols = padding.amounts(size: width, kernel: kernel.1, stride: strides.1, dilation: dilation.1)
        padTop = rows.before; padLeft = cols.before
        outHeight = rows.output; outWidth = cols.output
        let spanY = (kernel.0 - 1) * dilation.0 + 1, spanX = (kernel.1 - 1) * dilation.1 + 1
        let paddedY = height + rows.before + rows.after, paddedX = width + cols.before + cols.after
        guard spanY <= paddedY, spanX <= paddedX else {
            let what = height == 1 && kernel.0 == 1 ? "\(spanX) steps does not fit an input of \(paddedX)"
                : "\(spanY)×\(spanX) does not fit an input of \(paddedY)×\(paddedX)"
            throw KestrelError(.shapeMismatch, "\(layer): a window of \(what) (input \(Array(s.dropFirst())), padding \(padding.rawValue)). Use a smaller kernel or dilation, padding \"same\", or a larger input")
        }
    }

    /// Geometry with every number given, for callers that derived them already (a 3-D
    /// convolution run as a 2-D one over its unfolded depth planes).
    package init(batch: Int, height: Int, width: Int, inChannels: Int, kernelHeight: Int, kernelWidth: Int,
                 strideY: Int, strideX: Int, dilationY: Int, dilationX: Int, padTop: Int, padLeft: Int,
                 outHeight: Int, outWidth: Int) {
        (self.batch, self.height, self.width, self.inChannels) = (batch, height, width, inChannels)
        (self.kernelHeight, self.kernelWidth, self.strideY, self.strideX) = (kernelHeight, kernelWidth, strideY, strideX)
        (self.dilationY, self.dilationX, self.padTop, self.padLeft) = (dilationY, dilationX, padTop, padLeft)
        (self.outHeight, self.outWidth) = (outHeight, outWidth)
    }

    /// Number of output pixels per sample.
    package var outPixels: Int { outHeight * outWidth }
    /// Window taps (kernel height × width).
    package var taps: Int { kernelHeight * kernelWidth }
    package var inputShape: [Int] { [batch, height, width, inChannels] }

    /// True when the output is the input itself, pixel for pixel (1×1, stride 1, no padding).
    package var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && padTop == 0 && padLeft == 0
            && outHeight == height && outWidth == width
    }
}
