import KestrelCore

/// Keras's `sample_weight` and `class_weight` arguments of `fit`, `evaluate` and the batch
/// methods, checked and turned into one optional weight tensor per model output.
extension Model {
    /// One weight tensor (or nil) per output: `sampleWeight` as given, or, for a
    /// single-output model, `classWeight` looked up from each sample's label as Keras does
    /// (class ids of rank-1 targets, rounded; the arg-max of one-hot targets). Throws when
    /// both are given, when a weight's shape does not lead the target's, or on NaN.
    package func resolvedSampleWeights(_ sampleWeight: [Tensor?]?, classWeight: [Int: Float]?, y: [Tensor],
                                       caller: String) throws -> [Tensor?] {
        let outputs = y.count
        if let classWeight {
            guard sampleWeight == nil || sampleWeight!.allSatisfy({ $0 == nil }) else {
                throw KestrelError(.invalidArgument, "\(name).\(caller): pass classWeight or sampleWeight, not both (Keras refuses the combination); fold the class weights into the sample weights instead")
            }
            guard outputs == 1 else {
                throw KestrelError(.invalidArgument, "\(name).\(caller): classWeight needs a model with one output, this one has \(outputs); pass sampleWeight per output instead")
            }
            return [try classWeights(classWeight, labels: y[0], caller: caller)]
        }
        guard let sampleWeight else { return Array(repeating: nil, count: outputs) }
        guard sampleWeight.count == outputs else {
            throw KestrelError(.invalidArgument, "\(name).\(caller): \(sampleWeight.count) sample weight entries for \(outputs) output\(outputs == 1 ? "" : "s"); give one per output (nil for none)")
        }
        for (k, (weight, target)) in zip(sampleWeight, y).enumerated() {
            guard let weight else { continue }
            let which = outputs > 1 ? " for output \(k)" : ""
            let leading = Array(target.shape.prefix(weight.rank))
            let squeezed = target.shape.last == 1 ? Array(target.shape.dropLast()) : target.shape
            guard weight.rank >= 1, weight.shape == leading || weight.shape == squeezed else {
                throw KestrelError(.shapeMismatch, "\(name).\(caller): sampleWeight\(which) has shape \(weight.shape) but the targets have shape \(target.shape); give one weight per sample \([target.shape[0]]) or per position \(squeezed)")
            }
            if weight.withUnsafeBufferPointer({ $0.contains { !$0.isFinite } }) {
                throw KestrelError(.invalidData, "\(name).\(caller): sampleWeight\(which) contains NaN or infinity; use finite weights")
            }
        }
        return sampleWeight
    }

    /// `classWeight[label]` per sample (1 for classes it does not name).
    private func classWeights(_ classWeight: [Int: Float], labels y: Tensor, caller: String) throws -> Tensor {
        for (label, weight) in classWeight where !weight.isFinite {
            throw KestrelError(.invalidArgument, "\(name).\(caller): classWeight[\(label)] is \(weight); use finite weights")
        }
        let ids: [Float]
        if y.rank == 1 || (y.rank == 2 && y.shape[1] == 1) {
            ids = y.scalars.map { $0.rounded() }
        } else if y.rank == 2 {
            ids = y.argmax(alongAxis: -1).scalars.map(Float.init)
        } else {
            throw KestrelError(.unsupported, "\(name).\(caller): classWeight needs targets of shape (N), (N, 1) or one-hot (N, classes), got \(y.shape); for sequence targets pass sampleWeight of shape \(Array(y.shape.prefix(2))) instead")
        }
        return Tensor(ids.map { id in Int(exactly: id).flatMap { classWeight[$0] } ?? 1 })
    }
}
