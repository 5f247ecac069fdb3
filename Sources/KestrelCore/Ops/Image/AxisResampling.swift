/// One axis of a separable image resampling, held as a sparse matrix in compressed rows:
/// output cell `j` is Σ `weights[t]` · input cell `indices[t]` for t in
/// `starts[j]..<starts[j + 1]`. Every interpolation of `Tensor.resized` is one of these for
/// the rows and one for the columns; its gradient runs the transposed tables, which are
/// tables of the same kind, so the backward pass is the same gather loop as the forward.
package struct AxisResampling: Sendable {
    package let inputLength: Int
    package let outputLength: Int
    package let starts: [Int]
    package let indices: [Int]
    package let weights: [Float]

    /// The table whose output cell `j` reads the (input index, weight) pairs `taps[j]`.
    package init(inputLength: Int, taps: [[(index: Int, weight: Float)]]) {
        self.inputLength = inputLength
        outputLength = taps.count
        var starts = [0]
        starts.reserveCapacity(taps.count + 1)
        for row in taps { starts.append(starts[starts.count - 1] + row.count) }
        self.starts = starts
        indices = taps.flatMap { row in row.map { $0.index } }
        weights = taps.flatMap { row in row.map { $0.weight } }
    }

    /// The transposed matrix: input cell i gathers from every output cell that read it, in
    /// increasing output order (so the gradient's sums do not depend on the thread count).
    package func transposed() -> AxisResampling {
        var columns = [[(index: Int, weight: Float)]](repeating: [], count: inputLength)
        for j in 0..<outputLength {
            for t in starts[j]..<starts[j + 1] { columns[indices[t]].append((j, weights[t])) }
        }
        return AxisResampling(inputLength: outputLength, taps: columns)
    }

    /// `x` viewed as (outer, inputLength, inner) resampled along its middle axis into a new
    /// tensor of `shape`, which holds outer · outputLength · inner scalars.
    package func resample(_ x: Tensor, outer: Int, inner: Int, shape: [Int]) -> Tensor {
        checkedPrecondition(x.count == outer * inputLength * inner && Shape.count(shape) == outer * outputLength * inner,
                            "internal: resampling \(x.shape) as (\(outer), \(inputLength), \(inner)) into \(shape)")
        let source = UnsafePointer(x.storage.pointer)
        return Tensor(shape: shape) { out, _ in apply(source, into: out, outer: outer, inner: inner) }
    }

    private func apply(_ source: UnsafePointer<Float>, into destination: UnsafeMutablePointer<Float>, outer: Int, inner: Int) {
        let (inputLength, outputLength) = (self.inputLength, self.outputLength)
        let tapsPerCell = Swift.max(1, indices.count / Swift.max(outputLength, 1))
        let blockSize = Swift.max(1, 16_384 / Swift.max(1, inner * tapsPerCell))
        starts.withUnsafeBufferPointer { s in
            indices.withUnsafeBufferPointer { index in
                weights.withUnsafeBufferPointer { weight in
                    Parallel.forEachBlock(outer * outputLength, size: blockSize) { _, items in
                        for item in items {
                            let (o, j) = item.quotientAndRemainder(dividingBy: outputLength)
                            let dst = destination + item * inner
                            dst.initialize(repeating: 0, count: inner)
                            let base = source + o * inputLength * inner
                            for t in s[j]..<s[j + 1] {
                                let src = base + index[t] * inner
                                let w = weight[t]
                                for k in 0..<inner { dst[k] += w * src[k] }
                            }
                        }
                    }
                }
            }
        }
    }
}
