import KestrelCore

/// Which end of a sequence gets the padding, or loses steps when it is too long.
public enum SequenceEnd: String, Sendable { case pre, post }

/// Keras's `pad_sequences`: the sequences as one (count, maxLength) tensor, each padded
/// with `value` (at the front by default) or cut (keeping the end by default) to
/// `maxLength`, the longest sequence's length when nil.
public func padSequences(_ sequences: [[Float]], maxLength: Int? = nil, padding: SequenceEnd = .pre,
                         truncating: SequenceEnd = .pre, value: Float = 0) throws -> Tensor {
    let length = maxLength ?? sequences.map(\.count).max() ?? 0
    guard length >= 0 else { throw KestrelError(.invalidArgument, "padSequences: maxLength must be ≥ 0, got \(length)") }
    var out = [Float](repeating: value, count: sequences.count * length)
    for (i, s) in sequences.enumerated() where !s.isEmpty && length > 0 {
        let kept = s.count <= length ? s[...] : (truncating == .pre ? s.suffix(length)[...] : s.prefix(length)[...])
        let offset = i * length + (padding == .pre ? length - kept.count : 0)
        for (j, v) in kept.enumerated() { out[offset + j] = v }
    }
    return Tensor(shape: [sequences.count, length], scalars: out)
}

/// Keras's `to_categorical`: class ids as one-hot rows, shape `y.shape + [numClasses]` (a
/// trailing axis of size 1 is dropped first); `numClasses` defaults to the largest id + 1.
public func toCategorical(_ y: Tensor, numClasses: Int? = nil) throws -> Tensor {
    let ids = y.scalars
    for (i, v) in ids.enumerated() where v.rounded() != v || v < 0 {
        throw KestrelError(.invalidData, "toCategorical: y[\(i)] = \(v) is not a class id (a whole number ≥ 0)")
    }
    let classes = numClasses ?? (Int(ids.max() ?? -1) + 1)
    guard classes > 0 else { throw KestrelError(.invalidArgument, "toCategorical: numClasses must be positive, got \(classes)") }
    if let big = ids.first(where: { Int($0) >= classes }) {
        throw KestrelError(.invalidData, "toCategorical: class id \(Int(big)) is not below numClasses \(classes)")
    }
    var shape = y.shape
    if shape.count > 1, shape.last == 1 { shape.removeLast() }
    var out = [Float](repeating: 0, count: ids.count * classes)
    for (i, v) in ids.enumerated() { out[i * classes + Int(v)] = 1 }
    return Tensor(shape: shape + [classes], scalars: out)
}
