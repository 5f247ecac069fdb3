/// The convolutional demos (cnn-mnist, cnn-fashion, convlstm-moving-digits, autoencoder), best first.
extension DemoCatalog {
    static let convolutionDemos: [Demo] = [
        ("cnn-mnist", { report(try ConvolutionDemos.mnist(options: $0), metric: "test_accuracy") }),
        ("cnn-fashion", { report(try ConvolutionDemos.fashion(options: $0), metric: "test_accuracy") }),
        ("convlstm-moving-digits", {
            let result = try MovingDigitsDemo.run(options: $0)
            print("copy-last-frame baseline: test_mse=\(format(result.copyLastFrameMSE))")
            print("image: \(result.image.path)")
            return "test_mse=\(format(result.testMSE))"
        }),
        ("autoencoder", { report(try ConvolutionDemos.autoencoder(options: $0), metric: "test_mse") }),
    ]

    /// Prints which data was used and where the picture went; returns the closing line.
    static func report(_ outcome: ConvolutionDemos.Outcome, metric: String) -> String {
        print("data: \(outcome.dataset)")
        if let image = outcome.image { print("image: \(image.path)") }
        return "\(metric)=\(format(outcome.score))"
    }
}
