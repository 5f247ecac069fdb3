/// Keras config → Kestrel layer for the recurrent family (SimpleRNN, LSTM, GRU,
/// Bidirectional, TimeDistributed, Embedding, Masking).
extension KerasLayerRegistry {
    static let recurrentBuilders: [String: Builder] = [:]
}
