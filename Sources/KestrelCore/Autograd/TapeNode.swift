import Foundation

/// One entry of the gradient tape: the record an op leaves when it runs on tensors that
/// require gradients. Entries are numbered in creation order, so walking them from the
/// newest to the oldest is a valid reverse topological order for backpropagation.
package final class TapeNode {
    /// Pulls the cotangent of this node's output back to its inputs (`nil` for an input
    /// that needs no gradient). Empty for a leaf (a variable the user differentiates).
    package typealias Backward = (Tensor) -> [Tensor?]

    package let sequence: Int
    package let inputs: [TapeNode?]
    package let backward: Backward?
    package let shape: [Int]
    /// The gradient accumulated by `Tensor.backward()`; only leaves keep it.
    package var grad: Tensor?

    private nonisolated(unsafe) static var counter = 0
    private static let counterLock = NSLock()

    package init(shape: [Int], inputs: [TapeNode?], backward: Backward?) {
        TapeNode.counterLock.lock()
        TapeNode.counter += 1
        sequence = TapeNode.counter
        TapeNode.counterLock.unlock()
        self.shape = shape
        self.inputs = inputs
        self.backward = backward
    }

    package var isLeaf: Bool { backward == nil }
}
