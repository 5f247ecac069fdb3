/// Element-wise comparisons with broadcasting. They return 1 where the relation holds and
/// 0 elsewhere, as Float32 masks that feed `where(_:_:_:)` or multiply other tensors; they
/// are not differentiable (masks are constants on the tape).
extension Tensor {
    public static func .< (a: Tensor, b: Tensor) -> Tensor { broadcastMap(a, b, op: "less") { $0 < $1 ? 1 : 0 } }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { broadcastMap(a, b, op: "lessEqual") { $0 <= $1 ? 1 : 0 } }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { broadcastMap(a, b, op: "greater") { $0 > $1 ? 1 : 0 } }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { broadcastMap(a, b, op: "greaterEqual") { $0 >= $1 ? 1 : 0 } }
    public static func .== (a: Tensor, b: Tensor) -> Tensor { broadcastMap(a, b, op: "equal") { $0 == $1 ? 1 : 0 } }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { broadcastMap(a, b, op: "notEqual") { $0 != $1 ? 1 : 0 } }

    public static func .< (a: Tensor, s: Float) -> Tensor { a.map { $0 < s ? 1 : 0 } }
    public static func .<= (a: Tensor, s: Float) -> Tensor { a.map { $0 <= s ? 1 : 0 } }
    public static func .> (a: Tensor, s: Float) -> Tensor { a.map { $0 > s ? 1 : 0 } }
    public static func .>= (a: Tensor, s: Float) -> Tensor { a.map { $0 >= s ? 1 : 0 } }
    public static func .== (a: Tensor, s: Float) -> Tensor { a.map { $0 == s ? 1 : 0 } }
    public static func .!= (a: Tensor, s: Float) -> Tensor { a.map { $0 != s ? 1 : 0 } }
}

/// Picks `a` where `condition` is non-zero and `b` elsewhere; all three broadcast together.
/// Gradients flow to the branch that was picked.
public func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
    let mask = (condition .!= 0)
    let shape = checked { try Shape.broadcast(Shape.broadcast(condition.shape, a.shape, op: "where"), b.shape, op: "where") }
    let m = mask.broadcast(to: shape)
    let picked = Tensor.broadcastMap(m, a, op: "where") { $0 != 0 ? $1 : 0 } +
        Tensor.broadcastMap(m, b, op: "where") { $0 != 0 ? 0 : $1 }
    return picked.detached().recorded(from: a, b) { g in
        ((g * m).sumToShape(a.shape), (g * (1 - m)).sumToShape(b.shape))
    }
}
