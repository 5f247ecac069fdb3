#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Element-wise functions and their derivatives. exp, log, tanh and sigmoid run on the
/// vectorised kernels of `VectorMath`.
extension Tensor {
    /// Applies one of the buffer kernels to every scalar.
    package func applying(_ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> Tensor {
        let p = storage.pointer
        return Tensor(shape: shape) { out, n in kernel(p, out, n) }
    }
}

public func exp(_ x: Tensor) -> Tensor {
    let y = x.applying { VectorMath.exp($0, $1, count: $2) }
    return y.recorded(from: x) { g in g * y }
}

/// Natural logarithm; log(0) = -inf and log of a negative number is NaN, as for Float.
public func log(_ x: Tensor) -> Tensor {
    x.applying { VectorMath.log($0, $1, count: $2) }.recorded(from: x) { g in g / x }
}

public func sqrt(_ x: Tensor) -> Tensor {
    let y = x.map { $0.squareRoot() }
    return y.recorded(from: x) { g in g.zipMap(y) { g, y in g / (2 * y) } }
}

/// Absolute value; its gradient at 0 is taken as 0.
public func abs(_ x: Tensor) -> Tensor {
    x.map { Swift.abs($0) }.recorded(from: x) { g in
        g.zipMap(x) { g, x in x > 0 ? g : (x < 0 ? -g : 0) }
    }
}

public func tanh(_ x: Tensor) -> Tensor {
    let y = x.applying { VectorMath.tanh($0, $1, count: $2) }
    return y.recorded(from: x) { g in g.zipMap(y) { g, y in g * (1 - y * y) } }
}

/// The logistic function 1 / (1 + e^-x).
public func sigmoid(_ x: Tensor) -> Tensor {
    let y = x.applying { VectorMath.sigmoid($0, $1, count: $2) }
    return y.recorded(from: x) { g in g.zipMap(y) { g, y in g * y * (1 - y) } }
}

/// max(x, 0); its gradient at 0 is taken as 0 (as in Keras and PyTorch).
public func relu(_ x: Tensor) -> Tensor {
    x.map { $0 > 0 ? $0 : 0 }.recorded(from: x) { g in g.zipMap(x) { g, x in x > 0 ? g : 0 } }
}

/// Limits every scalar to `[minValue, maxValue]`; the gradient passes where the input lies
/// inside the interval (bounds included) and is 0 outside.
public func clamp(_ x: Tensor, min minValue: Float, max maxValue: Float) -> Tensor {
    checkedPrecondition(minValue <= maxValue, "clamp: min \(minValue) is greater than max \(maxValue)")
    return x.map { Swift.min(Swift.max($0, minValue), maxValue) }.recorded(from: x) { g in
        g.zipMap(x) { g, x in x >= minValue && x <= maxValue ? g : 0 }
    }
}
