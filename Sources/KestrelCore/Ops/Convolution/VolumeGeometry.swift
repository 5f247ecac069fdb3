/// The index arithmetic of one 3-D channels-last convolution (or pooling window) over
/// (batch, depth, rows, cols, channels): window, strides, dilation, channel groups, the
/// padding before each spatial axis and the output size, by Keras/TensorFlow's rules (the
/// odd cell of `same` padding goes after). Grouped and 1-D/2-D convolutions use it with
/// unit leading axes, so one set of numbers drives every volume kernel.
public struct VolumeGeometry: Equatable, Sendable {
    public var batch: Int
    /// Input (depth, rows, cols).
    public var size: [Int]
    public var inChannels: Int
    public var kernel: [Int]
    public var strides: [Int]
    public var dilation: [Int]
    /// Zero cells before each spatial axis.
    public var padBefore: [Int]
    /// Output (depth, rows, cols).
    public var outSize: [Int]
    /// Channel groups: input channel block i only feeds output channel block i.
    public var groups: Int

    /// Geometry for an input of shape (batch, depth, rows, cols, channels) and a window of
    /// three sizes. Throws when an argument is not positive, when `groups` does not divide
    /// the channels, or when the window does not fit the padded input, naming `layer`.
    public init(inputShape s: [Int], kernel: [Int], strides: [Int] = [1, 1, 1], dilation: [Int] = [1, 1, 1],
                padding: ConvolutionPadding, groups: Int = 1, layer: String) throws {
        checkedPrecondition(s.count == 5 && kernel.count == 3 && strides.count == 3 && dilation.count == 3,
                            "VolumeGeometry: rank-5 input and 3 window sizes expected, got \(s), \(kernel)")
        guard (kernel + strides + dilation).allSatisfy({ $0 > 0 }), groups > 0 else {
            throw KestrelError(.invalidArgument, "\(layer): kernel size \(kernel), strides \(strides), dilation \(dilation) and groups \(groups) must all be positive")
        }
        guard s[4] % groups == 0 else {
            throw KestrelError(.shapeMismatch, "\(layer): \(s[4]) input channels cannot be split into \(groups) groups; use a number of groups that divides the channels")
        }
        batch = s[0]; size = Array(s[1...3]); inChannels = s[4]
        self.kernel = kernel; self.strides = strides; self.dilation = dilation; self.groups = groups
        let amounts = (0..<3).map { padding.amounts(size: s[$0 + 1], kernel: kernel[$0], stride: strides[$0], dilation: dilation[$0]) }
        padBefore = amounts.map(\.before)
        outSize = amounts.map(\.output)
        for axis in 0..<3 {
            let span = (kernel[axis] - 1) * dilation[axis] + 1
            let padded = size[axis] + amounts[axis].before + amounts[axis].after
            guard span <= padded else {
                throw KestrelError(.shapeMismatch, "\(layer): a window spanning \(span) cells does not fit spatial axis \(axis + 1) of \(padded) cells (input \(Array(s.dropFirst())), padding \(padding.rawValue)). Use a smaller kernel or dilation, padding \"same\", or a larger input")
            }
        }
    }

    package var inputShape: [Int] { [batch] + size + [inChannels] }
    /// Input cells (depth × rows × cols) per sample.
    package var inPositions: Int { size[0] * size[1] * size[2] }
    /// Output cells per sample.
    package var outPositions: Int { outSize[0] * outSize[1] * outSize[2] }
    /// Window taps (product of the kernel sizes).
    package var taps: Int { kernel[0] * kernel[1] * kernel[2] }
    /// Input channels of one group.
    package var groupChannels: Int { inChannels / groups }

    /// True when each output cell is its input cell (1×1×1 window, stride 1, no padding).
    package var isPointwise: Bool {
        taps == 1 && strides == [1, 1, 1] && padBefore == [0, 0, 0] && outSize == size
    }

    /// Calls `body(tap, cell)` for every window tap of output cell `p` (within a sample), in
    /// kernel order (depth, rows, cols); `cell` is the input cell the tap reads, or -1 where
    /// the tap falls in the padding.
    @inline(__always)
    package func forEachTap(output p: Int, _ body: (_ tap: Int, _ cell: Int) -> Void) {
        let (oh1, ow1) = (outSize[1], outSize[2])
        let od = p / (oh1 * ow1), oh = p / ow1 % oh1, ow = p % ow1
        let (d, h, w) = (size[0], size[1], size[2])
        let (kd, kh, kw) = (kernel[0], kernel[1], kernel[2])
        let d0 = od * strides[0] - padBefore[0], h0 = oh * strides[1] - padBefore[1], w0 = ow * strides[2] - padBefore[2]
        let (dd, dh, dw) = (dilation[0], dilation[1], dilation[2])
        var tap = 0
        for a in 0..<kd {
            let id = d0 + a * dd
            for b in 0..<kh {
                let ih = h0 + b * dh
                let rowInside = id >= 0 && id < d && ih >= 0 && ih < h
                for c in 0..<kw {
                    let iw = w0 + c * dw
                    body(tap, rowInside && iw >= 0 && iw < w ? (id * h + ih) * w + iw : -1)
                    tap += 1
                }
            }
        }
    }
}
