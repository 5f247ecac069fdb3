import Foundation

/// Element-wise arithmetic with NumPy broadcasting, and its gradients (each input's
/// cotangent is summed back to that input's shape).
extension Tensor {
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        broadcastMap(a, b, op: "add", +).recorded(from: a, b) { g in
            (g.sumToShape(a.shape), g.sumToShape(b.shape))
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcastMap(a, b, op: "subtract", -).recorded(from: a, b) { g in
            (g.sumToShape(a.shape), (-g).sumToShape(b.shape))
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcastMap(a, b, op: "multiply", *).recorded(from: a, b) { g in
            (a.node == nil ? nil : (g * b).sumToShape(a.shape),
             b.node == nil ? nil : (g * a).sumToShape(b.shape))
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let y = broadcastMap(a, b, op: "divide", /)
        return y.recorded(from: a, b) { g in
            let ga = g / b
            return (ga.sumToShape(a.shape), b.node == nil ? nil : (-(ga * y)).sumToShape(b.shape))
        }
    }

    public static prefix func - (x: Tensor) -> Tensor {
        x.map { -$0 }.recorded(from: x) { g in -g }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s }.recorded(from: a) { $0 } }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.map { s - $0 }.recorded(from: a) { -$0 } }
    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s }.recorded(from: a) { $0 * s } }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static func / (s: Float, a: Tensor) -> Tensor {
        let y = a.map { s / $0 }
        return y.recorded(from: a) { g in g.zipMap(y) { g, y in g * y } / a * -1 }
    }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
    public static func += (a: inout Tensor, s: Float) { a = a + s }
    public static func -= (a: inout Tensor, s: Float) { a = a - s }
    public static func *= (a: inout Tensor, s: Float) { a = a * s }
    public static func /= (a: inout Tensor, s: Float) { a = a / s }
}

/// `x` raised to the constant power `p`.
public func pow(_ x: Tensor, _ p: Float) -> Tensor {
    if p == 2 {
        return x.map { $0 * $0 }.recorded(from: x) { g in g.zipMap(x) { g, x in 2 * g * x } }
    }
    return x.map { Foundation.pow($0, p) }.recorded(from: x) { g in
        g.zipMap(x) { g, x in g * p * Foundation.pow(x, p - 1) }
    }
}

/// `a` raised to the power `b`, element-wise with broadcasting. The gradient with respect
/// to the exponent uses log(a) and is taken as 0 where a ≤ 0.
public func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
    let y = Tensor.broadcastMap(a, b, op: "pow") { Foundation.pow($0, $1) }
    return y.recorded(from: a, b) { g in
        let ga = a.node == nil ? nil : g * Tensor.broadcastMap(a, b, op: "pow") { $1 * Foundation.pow($0, $1 - 1) }
        let gb = b.node == nil ? nil : g * y * Tensor.broadcastMap(a, b, op: "pow") { a, _ in a > 0 ? Foundation.log(a) : 0 }
        return (ga?.sumToShape(a.shape), gb?.sumToShape(b.shape))
    }
}

/// Element-wise minimum with broadcasting; on ties the gradient goes to `a`.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.broadcastMap(a, b, op: "minimum") { Swift.min($0, $1) }.recorded(from: a, b) { g in
        let takeA = Tensor.broadcastMap(a, b, op: "minimum") { $0 <= $1 ? 1 : 0 }
        return ((g * takeA).sumToShape(a.shape), (g * (1 - takeA)).sumToShape(b.shape))
    }
}

/// Element-wise maximum with broadcasting; on ties the gradient goes to `a`.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
    Tensor.broadcastMap(a, b, op: "maximum") { Swift.max($0, $1) }.recorded(from: a, b) { g in
        let takeA = Tensor.broadcastMap(a, b, op: "maximum") { $0 >= $1 ? 1 : 0 }
        return ((g * takeA).sumToShape(a.shape), (g * (1 - takeA)).sumToShape(b.shape))
    }
}
