/// Nearest-neighbour 3-D upsampling, channels-last (Keras `UpSampling3D`):
/// (N, D, H, W, C) → (N, D·sd, H·sh, W·sw, C), each cell repeated along every spatial axis.
/// The gradient sums each block of copies.
public func upsampleNearest3d(_ x: Tensor, scale: [Int]) -> Tensor {
    checkedPrecondition(x.rank == 5 && scale.count == 3 && scale.allSatisfy { $0 > 0 }, "upsampleNearest3d: rank-5 input and 3 positive scales expected")
    let (n, d, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let (sd, sh, sw) = (scale[0], scale[1], scale[2])
    let (od, oh, ow) = (d * sd, h * sh, w * sw)
    // Output cell (b, z, y, x) reads input cell (b, z / sd, y / sh, x / sw).
    let y = Tensor(shape: [n, od, oh, ow, c]) { out, _ in
        let src = x.storage.pointer
        Parallel.forEach(n * od) { plane in
            let b = plane / od, z = plane % od
            for yy in 0..<oh {
                let row = out + ((plane * oh) + yy) * ow * c
                let input = src + ((b * d + z / sd) * h + yy / sh) * w * c
                for xx in 0..<ow { (row + xx * c).initialize(from: input + xx / sw * c, count: c) }
            }
        }
    }
    return y.recorded(from: x) { grad in
        Tensor(shape: x.shape) { dx, _ in
            let gp = grad.storage.pointer
            Parallel.forEach(n * d) { plane in
                let b = plane / d, z = plane % d
                let target = dx + plane * h * w * c
                target.initialize(repeating: 0, count: h * w * c)
                for zz in (z * sd)..<(z * sd + sd) {
                    for yy in 0..<oh {
                        let row = gp + (((b * od + zz) * oh) + yy) * ow * c
                        let dst = target + yy / sh * w * c
                        for xx in 0..<ow {
                            let g = row + xx * c, t = dst + xx / sw * c
                            for j in 0..<c { t[j] += g[j] }
                        }
                    }
                }
            }
        }
    }
}
