/// The window of one output cell of a 3-D convolution, walked row by row for vol2col and
/// col2vol: the geometry's numbers copied into scalars once per call, and for each (depth,
/// row) tap pair the offset of the input row it reads, so the inner loops run without array
/// lookups. When the window's columns are all inside the input, undilated and ungrouped,
/// a row's kw·cin values are one contiguous run.
struct WindowWalk {
    let c, cg, offset, kw, dw, w, run, rowLength: Int
    private let d, h, kd, kh, dd, dh, sd, sh, sw, pd, ph, pw, outRows, outCols: Int

    init(_ g: VolumeGeometry, group: Int) {
        c = g.inChannels; cg = g.groupChannels; offset = group * cg
        (d, h, w) = (g.size[0], g.size[1], g.size[2])
        (kd, kh, kw) = (g.kernel[0], g.kernel[1], g.kernel[2])
        (sd, sh, sw) = (g.strides[0], g.strides[1], g.strides[2])
        (dd, dh, dw) = (g.dilation[0], g.dilation[1], g.dilation[2])
        (pd, ph, pw) = (g.padBefore[0], g.padBefore[1], g.padBefore[2])
        (outRows, outCols) = (g.outSize[1], g.outSize[2])
        run = kw * cg
        rowLength = kd * kh * run
    }

    /// Calls `body(rowSlot, source, firstColumn, contiguous)` for each of the kd·kh window
    /// rows of output cell `p`, in kernel order: `rowSlot` is where that row's kw·cg values sit
    /// in `row`; `source` is the offset in the sample of the input row's column 0 plus the
    /// group's channel offset (of the run's own start when `contiguous`), or nil in the
    /// padding; `firstColumn` is the input column of the window's first tap.
    @inline(__always)
    func visitRows(output p: Int, row: UnsafeMutablePointer<Float>,
                   _ body: (_ rowSlot: UnsafeMutablePointer<Float>, _ source: Int?, _ firstColumn: Int, _ contiguous: Bool) -> Void) {
        let od = p / (outRows * outCols), oh = p / outCols % outRows, ow = p % outCols
        let d0 = od * sd - pd, h0 = oh * sh - ph, w0 = ow * sw - pw
        let contiguous = dw == 1 && cg == c && w0 >= 0 && w0 + kw <= w
        var slot = row
        for a in 0..<kd {
            let id = d0 + a * dd
            for b in 0..<kh {
                let ih = h0 + b * dh
                if id < 0 || id >= d || ih < 0 || ih >= h {
                    body(slot, nil, w0, contiguous)
                } else {
                    let rowStart = (id * h + ih) * w * c + offset
                    body(slot, contiguous ? rowStart + w0 * c : rowStart, w0, contiguous)
                }
                slot += run
            }
        }
    }

    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { dst[j] = src[j] }
    }

    @inline(__always)
    static func add(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count { dst[j] += src[j] }
    }
}
