/// Keras config → Kestrel layer for the convolutional family (convolutions, pooling,
/// padding, cropping, upsampling, normalization).
extension KerasLayerRegistry {
    static let convolutionBuilders: [String: Builder] = [:]
}
