/// Ops that change the shape but not the values: reshape (sharing storage), broadcast,
/// permute/transpose, and adding or removing size-1 axes.
extension Tensor {
    /// The same scalars under a new shape; one size may be -1 (inferred). No copy.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let resolved = checked { try Shape.resolveReshape(newShape, count: count, from: shape) }
        let oldShape = shape
        return sharingStorage(shape: resolved).recorded(from: self) { g in g.reshaped(oldShape) }
    }

    /// Materialises NumPy broadcasting of this tensor to `target`.
    public func broadcast(to target: [Int]) -> Tensor {
        let result = checked { try Shape.broadcast(shape, target, op: "broadcast") }
        checkedPrecondition(result == target, "broadcast: shape \(shape) cannot be broadcast to \(target)")
        if shape == target { return self }
        let src = storage.pointer
        let source = shape
        return Tensor(shape: target) { out, n in
            guard n > 0 else { return }
            BroadcastIteration(output: target, a: source, b: target).forEachRow { oa, sa, _, _, oo, len in
                if sa == 0 { (out + oo).initialize(repeating: src[oa], count: len) }
                else { for i in 0..<len { out[oo + i] = src[oa + i * sa] } }
            }
        }.recorded(from: self) { g in g.sumToShape(source) }
    }

    /// Reorders the axes: output axis i is input axis `permutation[i]`.
    public func permuted(_ permutation: [Int]) -> Tensor {
        let perm = checked { () throws -> [Int] in
            let p = try permutation.map { try Shape.normalize(axis: $0, rank: rank, op: "permute") }
            guard p.count == rank, Set(p).count == rank else {
                throw KestrelError(.invalidArgument, "permute: \(permutation) is not a permutation of the \(rank) axes of \(shape)")
            }
            return p
        }
        if perm == Array(0..<rank) { return self }
        let outShape = perm.map { shape[$0] }
        let inStrides = Shape.strides(shape)
        let permutedStrides = perm.map { inStrides[$0] }
        let src = storage.pointer
        var inverse = [Int](repeating: 0, count: rank)
        for (i, p) in perm.enumerated() { inverse[p] = i }
        return Tensor(shape: outShape) { out, n in
            guard n > 0 else { return }
            // Walk the output in order; gather from the input through the permuted strides.
            let inner = rank - 1
            let len = outShape[inner], step = permutedStrides[inner]
            var index = [Int](repeating: 0, count: inner)
            var offset = 0, written = 0
            while written < n {
                for i in 0..<len { out[written + i] = src[offset + i * step] }
                written += len
                var axis = inner - 1
                while axis >= 0 {
                    index[axis] += 1
                    offset += permutedStrides[axis]
                    if index[axis] < outShape[axis] { break }
                    offset -= permutedStrides[axis] * outShape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }.recorded(from: self) { g in g.permuted(inverse) }
    }

    /// Swaps two axes (by default the last two: the matrix transpose).
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis0, rank: rank, op: "transpose") }
        let b = checked { try Shape.normalize(axis: axis1, rank: rank, op: "transpose") }
        var perm = Array(0..<rank)
        perm.swapAt(a, b)
        return permuted(perm)
    }

    /// Inserts a size-1 axis at `axis` (which may be `rank`, or negative from the end).
    public func expandingDimensions(at axis: Int) -> Tensor {
        let a = checked { try Shape.normalize(axis: axis, rank: rank + 1, op: "expandDims") }
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Removes the given size-1 axes (all size-1 axes when `nil`).
    public func squeezed(axes: [Int]? = nil) -> Tensor {
        let remove: [Int]
        if let axes {
            remove = checked { try Shape.normalize(axes: axes, rank: rank, op: "squeeze") }
            for a in remove {
                checkedPrecondition(shape[a] == 1, "squeeze: axis \(a) of shape \(shape) has size \(shape[a]), not 1")
            }
        } else {
            remove = shape.indices.filter { shape[$0] == 1 }
        }
        return reshaped(shape.enumerated().filter { !remove.contains($0.offset) }.map(\.element))
    }

    /// Flattens every axis after the first: (samples, …) → (samples, features).
    public func flattenedBatch() -> Tensor {
        reshaped([shape.first ?? 1, -1])
    }
}
