/// Walks two operands broadcast to a common shape as a sequence of innermost rows, so
/// element-wise kernels only ever see (pointer, stride ∈ {0, 1, …}) runs. Adjacent axes
/// that are contiguous in every operand are merged first, so same-shape and
/// scalar-with-tensor cases become a single long row.
package struct BroadcastIteration {
    private var sizes: [Int] = []
    private var aStrides: [Int] = []
    private var bStrides: [Int] = []

    package init(output: [Int], a: [Int], b: [Int]) {
        let rank = output.count
        let sa = BroadcastIteration.broadcastStrides(of: a, to: output)
        let sb = BroadcastIteration.broadcastStrides(of: b, to: output)
        for axis in 0..<rank where output[axis] != 1 {
            if let last = sizes.indices.last,
               aStrides[last] == sa[axis] * output[axis], bStrides[last] == sb[axis] * output[axis] {
                sizes[last] *= output[axis]
                aStrides[last] = sa[axis]
                bStrides[last] = sb[axis]
            } else {
                sizes.append(output[axis]); aStrides.append(sa[axis]); bStrides.append(sb[axis])
            }
        }
        if sizes.isEmpty { sizes = [1]; aStrides = [0]; bStrides = [0] }
    }

    /// Strides of `shape` seen as `target` (right-aligned): 0 on broadcast axes.
    package static func broadcastStrides(of shape: [Int], to target: [Int]) -> [Int] {
        let own = Shape.strides(shape)
        let pad = target.count - shape.count
        return (0..<target.count).map { axis in
            axis < pad || shape[axis - pad] == 1 ? 0 : own[axis - pad]
        }
    }

    /// Calls `row(aOffset, aStride, bOffset, bStride, outOffset, length)` for each row.
    package func forEachRow(_ row: (Int, Int, Int, Int, Int, Int) -> Void) {
        let inner = sizes.count - 1
        let n = sizes[inner], ia = aStrides[inner], ib = bStrides[inner]
        if inner == 0 { row(0, ia, 0, ib, 0, n); return }
        var index = [Int](repeating: 0, count: inner)
        var offA = 0, offB = 0, offOut = 0
        while true {
            row(offA, ia, offB, ib, offOut, n)
            offOut += n
            var axis = inner - 1
            while axis >= 0 {
                index[axis] += 1
                offA += aStrides[axis]; offB += bStrides[axis]
                if index[axis] < sizes[axis] { break }
                offA -= aStrides[axis] * sizes[axis]; offB -= bStrides[axis] * sizes[axis]
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}

/// One element-wise loop over a row; stride 0 repeats a single value. The four stride
/// cases are separate loops so the contiguous ones vectorise.
@inline(__always)
package func binaryRow(_ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
               _ out: UnsafeMutablePointer<Float>, _ n: Int, _ f: (Float, Float) -> Float) {
    if sa == 1 && sb == 1 {
        for i in 0..<n { out[i] = f(a[i], b[i]) }
    } else if sa == 1 && sb == 0 {
        let bv = b[0]
        for i in 0..<n { out[i] = f(a[i], bv) }
    } else if sa == 0 && sb == 1 {
        let av = a[0]
        for i in 0..<n { out[i] = f(av, b[i]) }
    } else {
        for i in 0..<n { out[i] = f(a[i * sa], b[i * sb]) }
    }
}

extension Tensor {
    /// `f` applied element-wise to `a` and `b` broadcast together (no tape record).
    @inline(__always)
    package static func broadcastMap(_ a: Tensor, _ b: Tensor, op: String, _ f: (Float, Float) -> Float) -> Tensor {
        let shape = checked { try Shape.broadcast(a.shape, b.shape, op: op) }
        let pa = a.storage.pointer, pb = b.storage.pointer
        return Tensor(shape: shape) { out, count in
            if a.shape == b.shape {
                binaryRow(pa, 1, pb, 1, out, count, f)
            } else if let width = trailingWidth(of: b.shape, in: a.shape), width > 0 {
                // b repeats along a's leading axes (a bias, or one value): whole rows, inlined.
                if width == 1 { binaryRow(pa, 1, pb, 0, out, count, f) }
                else { for r in 0..<(count / width) { binaryRow(pa + r * width, 1, pb, 1, out + r * width, width, f) } }
            } else if let width = trailingWidth(of: a.shape, in: b.shape), width > 0 {
                if width == 1 { binaryRow(pa, 0, pb, 1, out, count, f) }
                else { for r in 0..<(count / width) { binaryRow(pa, 1, pb + r * width, 1, out + r * width, width, f) } }
            } else if count > 0 {
                BroadcastIteration(output: shape, a: a.shape, b: b.shape).forEachRow { oa, sa, ob, sb, oo, n in
                    binaryRow(pa + oa, sa, pb + ob, sb, out + oo, n, f)
                }
            }
        }
    }

    /// The element count of `inner` when it equals the trailing axes of `outer` (leading 1s
    /// of `inner` aside) and `outer` is the broadcast shape; nil otherwise.
    @inline(__always)
    private static func trailingWidth(of inner: [Int], in outer: [Int]) -> Int? {
        let trimmed = inner.drop { $0 == 1 }
        guard inner.count <= outer.count, trimmed.count < outer.count, outer.suffix(trimmed.count).elementsEqual(trimmed) else { return nil }
        return trimmed.reduce(1, *)
    }

    /// `f` applied to every scalar (no tape record).
    @inline(__always)
    package func map(_ f: (Float) -> Float) -> Tensor {
        let p = storage.pointer
        return Tensor(shape: shape) { out, n in
            for i in 0..<n { out[i] = f(p[i]) }
        }
    }

    /// `f` applied pairwise to two tensors of the same shape (no tape record).
    @inline(__always)
    package func zipMap(_ other: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
        checkedPrecondition(shape == other.shape, "internal: zipMap shapes \(shape) and \(other.shape) differ")
        let a = storage.pointer, b = other.storage.pointer
        return Tensor(shape: shape) { out, n in
            for i in 0..<n { out[i] = f(a[i], b[i]) }
        }
    }

    /// Sums a broadcast gradient back down to `shape` (the inverse of broadcasting).
    package func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let pad = rank - target.count
        var axes: [Int] = Array(0..<pad)
        for axis in 0..<target.count where target[axis] == 1 && shape[axis + pad] != 1 {
            axes.append(axis + pad)
        }
        return sum(alongAxes: axes, keepingDimensions: true).reshaped(target)
    }
}
