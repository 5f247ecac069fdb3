/// The convolutional demos (cnn-mnist, cnn-fashion, autoencoder).
extension DemoCatalog {
    static let convolutionDemos: [Demo] = []
}
