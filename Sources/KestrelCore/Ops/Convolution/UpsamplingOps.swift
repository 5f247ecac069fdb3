/// Nearest-neighbour 2-D upsampling, channels-last: (N, H, W, C) → (N, H·sy, W·sx, C),
/// each pixel repeated sy times down and sx times across (Keras `UpSampling2D`). The
/// gradient sums each block of copies.
public func upsampleNearest2d(_ x: Tensor, scale: (Int, Int)) -> Tensor {
    checkedPrecondition(x.rank == 4 && scale.0 > 0 && scale.1 > 0, "upsampleNearest2d: rank-4 input and positive scales expected")
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (sy, sx) = scale
    let y = Tensor(shape: [n, h * sy, w * sx, c]) { out, _ in
        let src = x.storage.pointer
        Parallel.forEach(n) { b in
            for iy in 0..<h {
                let row = out + ((b * h + iy) * sy * w * sx) * c
                for ix in 0..<w {
                    let xp = src + ((b * h + iy) * w + ix) * c
                    for r in 0..<sx { (row + (ix * sx + r) * c).initialize(from: xp, count: c) }
                }
                for r in 1..<Swift.max(sy, 1) { (row + r * w * sx * c).initialize(from: row, count: w * sx * c) }
            }
        }
    }
    return y.recorded(from: x) { grad in
        Tensor(shape: x.shape) { dx, _ in
            let gp = grad.storage.pointer
            Parallel.forEach(n) { b in
                for iy in 0..<h {
                    for ix in 0..<w {
                        let d = dx + ((b * h + iy) * w + ix) * c
                        d.initialize(repeating: 0, count: c)
                        for ry in 0..<sy {
                            for rx in 0..<sx {
                                let g = gp + (((b * h + iy) * sy + ry) * w * sx + ix * sx + rx) * c
                                for j in 0..<c { d[j] += g[j] }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Bilinear 2-D upsampling with half-pixel centres and no antialiasing (TensorFlow's
/// `tf.image.resize(method="bilinear")`, which Keras `UpSampling2D(interpolation=
/// "bilinear")` uses): along each axis, output o reads src = (o + 0.5)/s − 0.5 clamped to
/// [0, n − 1] and blends cells floor(src) and the next one.
public func upsampleBilinear2d(_ x: Tensor, scale: (Int, Int)) -> Tensor {
    checkedPrecondition(x.rank == 4 && scale.0 > 0 && scale.1 > 0, "upsampleBilinear2d: rank-4 input and positive scales expected")
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = h * scale.0, ow = w * scale.1
    let rows = BilinearTaps(input: h, scale: scale.0), cols = BilinearTaps(input: w, scale: scale.1)
    let y = Tensor(shape: [n, oh, ow, c]) { out, _ in
        let src = x.storage.pointer
        Parallel.forEach(n) { b in
            let xs = src + b * h * w * c
            for oy in 0..<oh {
                let (y0, y1, fy) = rows.taps[oy]
                for ox in 0..<ow {
                    let (x0, x1, fx) = cols.taps[ox]
                    let p00 = xs + (y0 * w + x0) * c, p01 = xs + (y0 * w + x1) * c
                    let p10 = xs + (y1 * w + x0) * c, p11 = xs + (y1 * w + x1) * c
                    let o = out + ((b * oh + oy) * ow + ox) * c
                    for j in 0..<c {
                        let top = p00[j] + (p01[j] - p00[j]) * fx
                        let bottom = p10[j] + (p11[j] - p10[j]) * fx
                        o[j] = top + (bottom - top) * fy
                    }
                }
            }
        }
    }
    return y.recorded(from: x) { grad in
        Tensor(shape: x.shape) { dx, _ in
            let gp = grad.storage.pointer
            Parallel.forEach(n) { b in
                let ds = dx + b * h * w * c
                ds.initialize(repeating: 0, count: h * w * c)
                for oy in 0..<oh {
                    let (y0, y1, fy) = rows.taps[oy]
                    for ox in 0..<ow {
                        let (x0, x1, fx) = cols.taps[ox]
                        let g = gp + ((b * oh + oy) * ow + ox) * c
                        let w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx
                        let d00 = ds + (y0 * w + x0) * c, d01 = ds + (y0 * w + x1) * c
                        let d10 = ds + (y1 * w + x0) * c, d11 = ds + (y1 * w + x1) * c
                        for j in 0..<c {
                            let v = g[j]
                            d00[j] += v * w00
                            d01[j] += v * w01
                            d10[j] += v * w10
                            d11[j] += v * w11
                        }
                    }
                }
            }
        }
    }
}

/// The two source cells and blend weight of every output index along one axis.
package struct BilinearTaps {
    package let taps: [(Int, Int, Float)]

    package init(input n: Int, scale s: Int) {
        taps = (0..<(n * s)).map { o in
            let src = Swift.min(Swift.max((Float(o) + 0.5) / Float(s) - 0.5, 0), Float(n - 1))
            let i0 = Int(src.rounded(.down))
            return (i0, Swift.min(i0 + 1, n - 1), src - Float(i0))
        }
    }
}
