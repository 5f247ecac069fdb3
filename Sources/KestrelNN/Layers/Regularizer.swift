import KestrelCore

/// A weight penalty added to the training loss (Keras `L1`, `L2`, `L1L2`):
/// l1·Σ|w| + l2·Σw².
public struct Regularizer: Equatable {
    public var l1: Float
    public var l2: Float

    public init(l1: Float = 0, l2: Float = 0) {
        self.l1 = l1
        self.l2 = l2
    }

    /// Keras `L1(l1=0.01)`.
    public static func l1(_ value: Float = 0.01) -> Regularizer { Regularizer(l1: value) }
    /// Keras `L2(l2=0.01)`.
    public static func l2(_ value: Float = 0.01) -> Regularizer { Regularizer(l2: value) }

    public func penalty(_ w: Tensor) -> Tensor {
        var total = Tensor(0)
        if l1 != 0 { total = total + abs(w).sum() * l1 }
        if l2 != 0 { total = total + pow(w, 2).sum() * l2 }
        return total
    }

    /// `{"class_name": "L1L2", "config": {...}}` as Keras writes it.
    public var kerasConfig: [String: Any] {
        if l2 == 0 { return ["class_name": "L1", "config": ["l1": Double(l1)]] }
        if l1 == 0 { return ["class_name": "L2", "config": ["l2": Double(l2)]] }
        return ["class_name": "L1L2", "config": ["l1": Double(l1), "l2": Double(l2)]]
    }

    public init?(kerasConfig: Any?) throws {
        guard let dict = kerasConfig as? [String: Any] else { return nil }
        let config = dict["config"] as? [String: Any] ?? [:]
        let l1 = (config["l1"] as? Double).map(Float.init) ?? 0
        let l2 = (config["l2"] as? Double).map(Float.init) ?? 0
        switch dict["class_name"] as? String {
        case "L1": self.init(l1: l1)
        case "L2": self.init(l2: l2)
        case "L1L2": self.init(l1: l1, l2: l2)
        case let other: throw KestrelError(.unsupported, "unknown regularizer \(other ?? "nil"); Kestrel knows L1, L2, L1L2")
        }
    }
}
