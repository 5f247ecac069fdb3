import XCTest
@testable import KestrelCore

/// The fused row ops (softmax over contiguous rows, layer normalization over the last axis,
/// multi-head scaled dot-product attention) against the same maths from taped primitives,
/// forward and backward, and against finite differences.
final class FusedRowOpTests: XCTestCase {
    func testContiguousSoftmaxMatchesTheStridedPath() {
        let x = randomTensor([5, 37], seed: 1, min: -4, max: 4).requiringGradient()
        let r = randomTensor([5, 37], seed: 2)
        let rows = softmax(x, alongAxis: 1)
        let columns = softmax(x.transposed(), alongAxis: 0).transposed()
        assertClose(rows, columns.scalars, tolerance: 1e-6)
        let g1 = Tensor.gradients(of: (rows * r).sum(), withRespectTo: [x])[0]
        let g2 = Tensor.gradients(of: (columns * r).sum(), withRespectTo: [x])[0]
        assertClose(g1, g2.scalars, tolerance: 1e-6)
        assertGradientsMatch([randomTensor([3, 21], seed: 3)]) { v in softmax(v[0]) * r.sliced(alongAxis: 0, 0..<3).sliced(alongAxis: 1, 0..<21) }
    }

    private func composedLayerNormalization(_ x: Tensor, _ gamma: Tensor?, _ beta: Tensor?, epsilon: Float) -> Tensor {
        let mean = x.mean(alongAxes: [x.rank - 1], keepingDimensions: true)
        let centered = x - mean
        let variance = (centered * centered).mean(alongAxes: [x.rank - 1], keepingDimensions: true)
        var y = centered / sqrt(variance + epsilon)
        if let gamma { y = y * gamma }
        if let beta { y = y + beta }
        return y
    }

    func testLayerNormalizationMatchesComposedOpsAndFiniteDifferences() {
        for (width, affine) in [(7, true), (40, true), (19, false)] {
            let x = randomTensor([3, 4, width], seed: 4, min: -3, max: 3).requiringGradient()
            let gamma = affine ? randomTensor([width], seed: 5).requiringGradient() : nil
            let beta = affine ? randomTensor([width], seed: 6).requiringGradient() : nil
            let r = randomTensor([3, 4, width], seed: 7)
            let fused = layerNormalization(x, gamma: gamma, beta: beta, epsilon: 1e-3)
            let composed = composedLayerNormalization(x, gamma, beta, epsilon: 1e-3)
            assertClose(fused, composed.scalars, tolerance: 1e-5)
            let wrt = [x] + (affine ? [gamma!, beta!] : [])
            let got = Tensor.gradients(of: (fused * r).sum(), withRespectTo: wrt)
            let want = Tensor.gradients(of: (composed * r).sum(), withRespectTo: wrt)
            for (a, e) in zip(got, want) { assertClose(a, e.scalars, tolerance: 1e-4) }
        }
        let r = randomTensor([2, 6], seed: 8)
        assertGradientsMatch([randomTensor([2, 6], seed: 9), randomTensor([6], seed: 10), randomTensor([6], seed: 11)]) { v in
            layerNormalization(v[0], gamma: v[1], beta: v[2], epsilon: 1e-3) * r
        }
    }

    /// Attention from taped ops on (N, heads, L, width) heads.
    private func composedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, allowed: Tensor?, zeroes: Bool,
                                   dropout: Tensor?) -> Tensor {
        let (n, t) = (q.shape[0], q.shape[1])
        let dk = q.shape[2] / heads, dv = v.shape[2] / heads
        func split(_ x: Tensor, _ width: Int) -> Tensor { x.reshaped([n, x.shape[1], heads, width]).permuted([0, 2, 1, 3]) }
        var scores = matmul(split(q, dk), split(k, dk), transposeB: true) * (1 / Float(dk).squareRoot())
        let mask = allowed?.expandingDimensions(at: 1)
        if let mask { scores = scores * mask + (1 - mask) * -1e9 }
        var weights = softmax(scores, alongAxis: -1)
        if zeroes, let mask { weights = weights * mask }
        if let dropout { weights = weights * dropout }
        return matmul(weights, split(v, dv)).permuted([0, 2, 1, 3]).reshaped([n, t, heads * dv])
    }

    func testAttentionMatchesComposedOpsAndFiniteDifferences() {
        let (n, t, s, heads, dk, dv) = (2, 5, 6, 3, 4, 2)
        var allowed = randomTensor([n, t, s], seed: 12, min: 0, max: 1).map { $0 > 0.3 ? 1 : 0 }
        // One query with no allowed key: equal weights without zeroing, none with it.
        allowed = allowed * Tensor(shape: [n, t, 1], scalars: (0..<(n * t)).map { $0 == 3 ? 0 : 1 })
        let causal = Tensor(shape: [1, t, s]) { p, _ in for i in 0..<t { for j in 0..<s { p[i * s + j] = j <= i ? 1 : 0 } } }
        let dropout = randomTensor([n, heads, t, s], seed: 13, min: 0, max: 1).map { $0 > 0.25 ? 1 / 0.75 : 0 }
        let cases: [(Tensor?, Bool, Tensor?)] = [(nil, false, nil), (allowed, false, nil), (allowed, true, dropout), (causal, false, nil),
                                                 (nil, false, dropout)]
        for (mask, zeroes, drop) in cases {
            let q = randomTensor([n, t, heads * dk], seed: 14).requiringGradient()
            let k = randomTensor([n, s, heads * dk], seed: 15).requiringGradient()
            let v = randomTensor([n, s, heads * dv], seed: 16).requiringGradient()
            let r = randomTensor([n, t, heads * dv], seed: 17)
            let op = ScaledDotProductAttention(heads: heads, scale: 1 / Float(dk).squareRoot(), zeroesDisallowed: zeroes)
            let fused = op(query: q, key: k, value: v, allowed: mask, dropout: drop)
            let composed = composedAttention(q, k, v, heads: heads, allowed: mask, zeroes: zeroes, dropout: drop)
            assertClose(fused, composed.scalars, tolerance: 1e-5)
            let got = Tensor.gradients(of: (fused * r).sum(), withRespectTo: [q, k, v])
            let want = Tensor.gradients(of: (composed * r).sum(), withRespectTo: [q, k, v])
            for (a, e) in zip(got, want) { assertClose(a, e.scalars, tolerance: 1e-4) }
            assertGradientsMatch([q.detached(), k.detached(), v.detached()], tolerance: 1e-2) { x in
                op(query: x[0], key: x[1], value: x[2], allowed: mask, dropout: drop) * r
            }
        }
    }
}
