@testable import KestrelCore
@testable import KestrelNN
@testable import KestrelFormats
@testable import KestrelConformance
import Kestrel

/// The recurrent cells composed from taped primitive ops (matmul, slices, sigmoid, tanh),
/// one step at a time: the reference the fused kernels are checked against.
enum RecurrentReference {
    struct Operands {
        var kind: RecurrentCellKind
        var x: Tensor, kernel: Tensor, recurrentKernel: Tensor, bias: Tensor?
        var h0: Tensor?, c0: Tensor?
        var goBackwards = false
        var mask: Tensor?
        var recurrentDropoutMask: Tensor?
        var zeroOutputForMask = false
    }

    /// Packed like the fused op: (N, T + states, U).
    static func run(_ o: Operands) -> Tensor {
        let (n, t) = (o.x.shape[0], o.x.shape[1])
        let u = o.recurrentKernel.shape[0]
        var h = o.h0 ?? Tensor.zeros([n, u]), c = o.c0 ?? Tensor.zeros([n, u])
        var previous = Tensor.zeros([n, u])
        var ys: [Tensor] = []
        func block(_ z: Tensor, _ k: Int) -> Tensor { z.sliced(alongAxis: 1, (k * u)..<((k + 1) * u)) }
        for step in 0..<t {
            let time = o.goBackwards ? t - 1 - step : step
            let xt = o.x.selecting(index: time, alongAxis: 1)
            let hin = o.recurrentDropoutMask.map { h * $0 } ?? h
            var hNew: Tensor, cNew = c
            switch o.kind {
            case .simple:
                var z = matmul(xt, o.kernel) + matmul(hin, o.recurrentKernel)
                if let b = o.bias { z = z + b }
                hNew = tanh(z)
            case .lstm:
                var z = matmul(xt, o.kernel) + matmul(hin, o.recurrentKernel)
                if let b = o.bias { z = z + b }
                let i = sigmoid(block(z, 0)), f = sigmoid(block(z, 1)), g = tanh(block(z, 2)), out = sigmoid(block(z, 3))
                cNew = f * c + i * g
                hNew = out * tanh(cNew)
            case .gru(resetAfter: true):
                var xz = matmul(xt, o.kernel), hz = matmul(hin, o.recurrentKernel)
                if let b = o.bias {
                    xz = xz + b.selecting(index: 0, alongAxis: 0)
                    hz = hz + b.selecting(index: 1, alongAxis: 0)
                }
                let z = sigmoid(block(xz, 0) + block(hz, 0)), r = sigmoid(block(xz, 1) + block(hz, 1))
                let cand = tanh(block(xz, 2) + r * block(hz, 2))
                hNew = z * h + (1 - z) * cand
            case .gru(resetAfter: false):
                var xz = matmul(xt, o.kernel)
                if let b = o.bias { xz = xz + b }
                let wr = o.recurrentKernel
                let z = sigmoid(block(xz, 0) + matmul(hin, wr.sliced(alongAxis: 1, 0..<u)))
                let r = sigmoid(block(xz, 1) + matmul(hin, wr.sliced(alongAxis: 1, u..<(2 * u))))
                let cand = tanh(block(xz, 2) + matmul(r * hin, wr.sliced(alongAxis: 1, (2 * u)..<(3 * u))))
                hNew = z * h + (1 - z) * cand
            }
            var y = hNew
            if let mask = o.mask {
                let m = mask.selecting(index: time, alongAxis: 1).expandingDimensions(at: 1)
                hNew = m * hNew + (1 - m) * h
                cNew = m * cNew + (1 - m) * c
                y = m * hNew + (1 - m) * (o.zeroOutputForMask ? Tensor.zeros([n, u]) : previous)
            }
            ys.append(y)
            previous = y
            h = hNew
            c = cNew
        }
        let finals = o.kind == .lstm ? [h, c] : [h]
        return Tensor.stack(ys + finals, alongAxis: 1)
    }
}
