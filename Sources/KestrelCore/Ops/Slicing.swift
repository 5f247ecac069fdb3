/// Ops that cut tensors apart or join them along one axis: slice, concatenate, stack,
/// split, constant padding and flipping. Each views the tensor as
/// (outer, axis, inner) blocks and copies whole inner runs.
extension Tensor {
    /// (product of axes before, size of axis, product of axes after).
    package func blocks(around axis: Int) -> (outer: Int, length: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
    }

    /// The elements whose index along `axis` lies in `range`.
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "slice") }
        checkedPrecondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) is out of bounds for axis \(axis) of size \(shape[a]) (shape \(shape))")
        var outShape = shape
        outShape[a] = range.count
        let (outer, length, inner) = blocks(around: a)
        let src = storage.pointer
        let sourceShape = shape
        return Tensor(shape: outShape) { out, _ in
            let run = range.count * inner
            for o in 0..<outer {
                (out + o * run).initialize(from: src + (o * length + range.lowerBound) * inner, count: run)
            }
        }.recorded(from: self) { g in
            g.padded(alongAxis: a, before: range.lowerBound, after: sourceShape[a] - range.upperBound)
        }
    }

    /// The element at `index` along `axis`, with that axis removed.
    public func selecting(index: Int, alongAxis axis: Int) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "select") }
        var s = shape
        s.remove(at: a)
        return sliced(alongAxis: a, index..<(index + 1)).reshaped(s)
    }

    /// Joins tensors along an existing axis; all other sizes must match.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        checkedPrecondition(!tensors.isEmpty, "concatenate: needs at least one tensor")
        let first = tensors[0]
        let a = checked { try Shape.normalize(axis: axis, rank: first.rank, op: "concatenate") }
        for t in tensors {
            var s1 = t.shape, s0 = first.shape
            checkedPrecondition(s1.count == s0.count, "concatenate: ranks differ: \(first.shape) and \(t.shape)")
            s1[a] = 0; s0[a] = 0
            checkedPrecondition(s1 == s0, "concatenate: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let (outer, _, inner) = first.blocks(around: a)
        let total = outShape[a]
        let pieces = tensors.map { ($0.storage.pointer, $0.shape[a] * inner) }
        let result = Tensor(shape: outShape) { out, _ in
            for o in 0..<outer {
                var dst = out + o * total * inner
                for (src, run) in pieces {
                    dst.initialize(from: src + o * run, count: run)
                    dst += run
                }
            }
        }
        let sizes = tensors.map { $0.shape[a] }
        return result.recorded(from: tensors) { g in g.split(sizes: sizes, alongAxis: a) }
    }

    /// Joins same-shape tensors along a new axis.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        checkedPrecondition(!tensors.isEmpty, "stack: needs at least one tensor")
        let shape = tensors[0].shape
        checkedPrecondition(tensors.allSatisfy { $0.shape == shape }, "stack: shapes differ: \(tensors.map(\.shape))")
        let a = checked { try Shape.normalize(axis: axis, rank: shape.count + 1, op: "stack") }
        return concatenate(tensors.map { $0.expandingDimensions(at: a) }, alongAxis: a)
    }

    /// Cuts the tensor into consecutive pieces of the given sizes along `axis`.
    public func split(sizes: [Int], alongAxis axis: Int) -> [Tensor] {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "split") }
        checkedPrecondition(sizes.reduce(0, +) == shape[a] && sizes.allSatisfy { $0 >= 0 },
                     "split: sizes \(sizes) do not add up to \(shape[a]), the size of axis \(axis) of \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(alongAxis: a, start..<(start + size))
        }
    }

    /// Cuts the tensor into `count` equal pieces along `axis`.
    public func split(count: Int, alongAxis axis: Int) -> [Tensor] {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "split") }
        checkedPrecondition(count > 0 && shape[a] % count == 0,
                     "split: axis \(axis) of size \(shape[a]) (shape \(shape)) cannot be split into \(count) equal parts")
        return split(sizes: Array(repeating: shape[a] / count, count: count), alongAxis: a)
    }

    /// Adds `before` and `after` cells filled with `value` along one axis.
    public func padded(alongAxis axis: Int, before: Int, after: Int, value: Float = 0) -> Tensor {
        var widths = Array(repeating: (0, 0), count: rank)
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "pad") }
        widths[a] = (before, after)
        return padded(widths, value: value)
    }

    /// Constant padding: `widths[i]` = (cells before, cells after) on axis i.
    public func padded(_ widths: [(Int, Int)], value: Float = 0) -> Tensor {
        checkedPrecondition(widths.count == rank, "pad: \(widths.count) padding pairs for a tensor of rank \(rank) (shape \(shape))")
        checkedPrecondition(widths.allSatisfy { $0.0 >= 0 && $0.1 >= 0 }, "pad: padding widths must be non-negative, got \(widths)")
        var result = self
        for (axis, (before, after)) in widths.enumerated() where before > 0 || after > 0 {
            result = result.paddedOneAxis(axis, before, after, value)
        }
        return result
    }

    private func paddedOneAxis(_ a: Int, _ before: Int, _ after: Int, _ value: Float) -> Tensor {
        var outShape = shape
        outShape[a] += before + after
        let (outer, length, inner) = blocks(around: a)
        let src = storage.pointer
        let total = outShape[a]
        return Tensor(shape: outShape) { out, _ in
            for o in 0..<outer {
                let dst = out + o * total * inner
                dst.initialize(repeating: value, count: before * inner)
                (dst + before * inner).initialize(from: src + o * length * inner, count: length * inner)
                (dst + (before + length) * inner).initialize(repeating: value, count: after * inner)
            }
        }.recorded(from: self) { g in g.sliced(alongAxis: a, before..<(before + length)) }
    }

    /// Reverses the order of elements along `axis`.
    public func flipped(alongAxis axis: Int) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "flip") }
        let (outer, length, inner) = blocks(around: a)
        let src = storage.pointer
        return Tensor(shape: shape) { out, _ in
            for o in 0..<outer {
                for j in 0..<length {
                    (out + (o * length + j) * inner).initialize(from: src + (o * length + length - 1 - j) * inner, count: inner)
                }
            }
        }.recorded(from: self) { g in g.flipped(alongAxis: a) }
    }

    /// Picks slices along `axis` by index (embedding lookup when `axis` is 0): the result's
    /// shape is shape[..<axis] + indices.shape + shape[(axis+1)...]. Gradients are
    /// scatter-added, so repeated indices accumulate.
    public func gathering(_ indices: IntTensor, alongAxis axis: Int = 0) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank, op: "gather") }
        let (outer, length, inner) = blocks(around: a)
        for i in indices.scalars {
            checkedPrecondition(i >= 0 && i < length, "gather: index \(i) is out of range for axis \(axis) of size \(length) (shape \(shape))")
        }
        let outShape = Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...])
        let src = storage.pointer
        let ids = indices.scalars
        let sourceShape = shape
        return Tensor(shape: outShape) { out, _ in
            var dst = out
            for o in 0..<outer {
                for i in ids {
                    dst.initialize(from: src + (o * length + i) * inner, count: inner)
                    dst += inner
                }
            }
        }.recorded(from: self) { g in
            let grad = Tensor.zeros(sourceShape)
            let gp = g.storage.pointer, dp = grad.storage.pointer
            var from = gp
            for o in 0..<outer {
                for i in ids {
                    let row = dp + (o * length + i) * inner
                    for k in 0..<inner { row[k] += from[k] }
                    from += inner
                }
            }
            return grad
        }
    }
}
