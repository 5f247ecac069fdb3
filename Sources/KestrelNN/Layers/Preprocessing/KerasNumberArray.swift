import Foundation
import KestrelCore

/// Numbers that Keras configs hold as a number, a nested list of numbers or a serialized
/// NumPy array (`{"class_name": "__numpy__", "config": {"value": […]}}`): Rescaling's scale
/// and offset, Normalization's mean and variance. Kestrel holds them as tensors of that shape
/// and writes them back the way Keras writes a list.
package enum KerasNumberArray {
    /// The tensor a number (rank 0) or a rectangular nested list of numbers describes; nil
    /// for anything else (a string, ragged lists).
    package static func tensor(_ value: Any) -> Tensor? {
        var shape: [Int] = []
        var probe = value
        while let list = probe as? [Any] {
            shape.append(list.count)
            guard let first = list.first else { break }
            probe = first
        }
        var scalars: [Float] = []
        func collect(_ item: Any, depth: Int) -> Bool {
            if depth == shape.count {
                guard let n = item as? NSNumber else { return false }
                scalars.append(n.floatValue)
                return true
            }
            guard let list = item as? [Any], list.count == shape[depth] else { return false }
            return list.allSatisfy { collect($0, depth: depth + 1) }
        }
        guard collect(value, depth: 0) else { return nil }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// A number for a rank-0 tensor, else nested lists of numbers, as Keras's `get_config`
    /// writes a Python list.
    package static func json(_ t: Tensor) -> Any {
        let scalars = t.scalars.map(Double.init)
        func nest(_ axis: Int, _ offset: Int, _ stride: Int) -> Any {
            if axis == t.rank { return scalars[offset] }
            let inner = stride / Swift.max(t.shape[axis], 1)
            return (0..<t.shape[axis]).map { nest(axis + 1, offset + $0 * inner, inner) }
        }
        return nest(0, 0, t.count)
    }
}

extension KerasConfig {
    /// The number, nested list of numbers or serialized NumPy array under `key` as a tensor;
    /// nil when the key is absent or null.
    package func numberArray(_ key: String) throws -> Tensor? {
        guard !isNull(key), var value = self[key] else { return nil }
        let expected = "a number, a (nested) list of numbers or a NumPy array"
        if let wrapped = value as? [String: Any] {
            guard wrapped["class_name"] as? String == "__numpy__", let config = wrapped["config"] as? [String: Any],
                  let inner = config["value"] else { throw error(key, expected) }
            value = inner
        }
        guard let tensor = KerasNumberArray.tensor(value) else { throw error(key, expected) }
        return tensor
    }
}
