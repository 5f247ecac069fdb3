/// An element-wise op defined by its value and its derivative: the derivative is given as
/// a function of the input (and the output), so kink conventions are explicit.
package func pointwise(_ x: Tensor, value: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
    let y = x.map(value)
    return y.recorded(from: x) { g in
        let p = x.storage.pointer, q = y.storage.pointer, gp = g.storage.pointer
        return Tensor(shape: x.shape) { out, n in
            for i in 0..<n { out[i] = gp[i] * derivative(p[i], q[i]) }
        }
    }
}
