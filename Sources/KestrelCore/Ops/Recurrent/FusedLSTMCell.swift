import CKestrelKernels

/// The standard LSTM cell (sigmoid gates, tanh candidate and output) as one vectorised pass
/// per batch row: bias, four gate activations, the cell update and the output in registers,
/// instead of one pass over memory per gate. Other activations take the general path.
package enum FusedLSTMCell {
    package typealias Kernel = @convention(c) (UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                       UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?,
                                       UnsafeMutablePointer<Float>?, Int64) -> Void

    /// The version for the active instruction set.
    package static var kernel: Kernel {
        CPUFeatures.pick(avx512: kst_lstm_cell_avx512, avx2: kst_lstm_cell_avx2, portable: kst_lstm_cell_portable)
    }

    package static func applies(activation: CellActivation, recurrentActivation: CellActivation) -> Bool {
        activation == .tanh && recurrentActivation == .sigmoid
    }
}
