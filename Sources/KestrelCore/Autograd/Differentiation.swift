/// Reverse-mode differentiation over the tape.
///
/// A tensor becomes a variable with `requiringGradient()`; every op applied to it records a
/// `TapeNode` whose backward closure maps the output's cotangent to its inputs'.
/// `backward()` walks the recorded nodes from newest to oldest, summing cotangents where a
/// value was used more than once, and leaves each variable's gradient in `grad`.
extension Tensor {
    /// True when this tensor is a variable or was computed from one while recording.
    public var requiresGradient: Bool { node != nil }

    /// A variable: the same values, with a fresh tape leaf so gradients flow to it.
    public func requiringGradient() -> Tensor {
        var t = self
        t.node = TapeNode(shape: shape, inputs: [], backward: nil)
        return t
    }

    /// The same values cut off from the tape (a constant for differentiation).
    public func detached() -> Tensor {
        var t = self
        t.node = nil
        return t
    }

    /// The gradient accumulated by `backward()` calls, for a variable; `nil` before any.
    public var grad: Tensor? {
        node?.grad
    }

    /// Clears the accumulated gradient of this variable.
    public func zeroGradient() {
        node?.grad = nil
    }

    /// Backpropagates from this tensor (a scalar loss, unless `seed` gives the cotangent)
    /// and adds the result into `grad` of every variable it depends on.
    public func backward(seed: Tensor? = nil) {
        let grads = Tensor.propagate(from: self, seed: seed)
        for (leaf, g) in grads where leaf.isLeaf {
            if let existing = leaf.grad {
                leaf.grad = withoutGradients { existing + g }
            } else {
                leaf.grad = g
            }
        }
    }

    /// Gradients of `output` (a scalar, or weighted by `seed`) with respect to `variables`,
    /// without touching their `grad`. A variable that `output` does not depend on gets zeros.
    public static func gradients(of output: Tensor, withRespectTo variables: [Tensor], seed: Tensor? = nil) -> [Tensor] {
        let grads = propagate(from: output, seed: seed)
        var byNode: [ObjectIdentifier: Tensor] = [:]
        for (node, g) in grads { byNode[ObjectIdentifier(node)] = g }
        return variables.map { v in
            if let n = v.node, let g = byNode[ObjectIdentifier(n)] { return g }
            return Tensor.zeros(v.shape)
        }
    }

    /// Runs every recorded backward reachable from `output`; returns the cotangent of each
    /// node reached (leaves and intermediates).
    private static func propagate(from output: Tensor, seed: Tensor?) -> [(TapeNode, Tensor)] {
        guard let root = output.node else {
            fatalError("backward: the tensor was not computed from any variable (call requiringGradient() on the inputs to differentiate, and do not compute it inside withoutGradients)")
        }
        let seedValue: Tensor
        if let seed {
            checkedPrecondition(seed.shape == output.shape, "backward: seed shape \(seed.shape) differs from output shape \(output.shape)")
            seedValue = seed.detached()
        } else {
            checkedPrecondition(output.count == 1, "backward: output has shape \(output.shape); pass `seed:` for a non-scalar output")
            seedValue = Tensor.ones(output.shape)
        }
        // Collect the reachable nodes, then visit them newest first.
        var nodes: [TapeNode] = []
        var seen = Set<ObjectIdentifier>()
        var stack = [root]
        while let n = stack.popLast() {
            guard seen.insert(ObjectIdentifier(n)).inserted else { continue }
            nodes.append(n)
            for case let input? in n.inputs { stack.append(input) }
        }
        nodes.sort { $0.sequence > $1.sequence }

        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seedValue]
        var result: [(TapeNode, Tensor)] = []
        withoutGradients {
            for n in nodes {
                guard let g = pending.removeValue(forKey: ObjectIdentifier(n)) else { continue }
                result.append((n, g))
                guard let backward = n.backward else { continue }
                let inputGrads = backward(g)
                for (input, ig) in zip(n.inputs, inputGrads) {
                    guard let input, let ig else { continue }
                    checkedPrecondition(ig.shape == input.shape,
                                 "internal: backward produced gradient of shape \(ig.shape) for an input of shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let existing = pending[key] {
                        pending[key] = existing + ig
                    } else {
                        pending[key] = ig
                    }
                }
            }
        }
        return result
    }
}

extension Tensor {
    /// Records a unary op on the tape when `x` requires gradients and recording is on.
    @inline(__always)
    package func recorded(from x: Tensor, _ backward: @escaping (Tensor) -> Tensor?) -> Tensor {
        guard let xn = x.node, GradientMode.isRecording else { return self }
        var t = self
        t.node = TapeNode(shape: shape, inputs: [xn], backward: { [backward] g in [backward(g)] })
        return t
    }

    /// Records a binary op; `backward` returns the cotangents of both inputs.
    @inline(__always)
    package func recorded(from a: Tensor, _ b: Tensor, _ backward: @escaping (Tensor) -> (Tensor?, Tensor?)) -> Tensor {
        guard a.node != nil || b.node != nil, GradientMode.isRecording else { return self }
        var t = self
        let needA = a.node != nil, needB = b.node != nil
        t.node = TapeNode(shape: shape, inputs: [a.node, b.node], backward: { g in
            let (ga, gb) = backward(g)
            return [needA ? ga : nil, needB ? gb : nil]
        })
        return t
    }

    /// Records an op with any number of inputs.
    package func recorded(from inputs: [Tensor], _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard inputs.contains(where: { $0.node != nil }), GradientMode.isRecording else { return self }
        var t = self
        t.node = TapeNode(shape: shape, inputs: inputs.map(\.node), backward: backward)
        return t
    }
}
