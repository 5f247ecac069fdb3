import Foundation
import Kestrel

/// Convolutional networks on the shipped image sets: a digit classifier (with a picture of
/// its first layer's feature maps), a Fashion-MNIST classifier (the full 70 000 images when
/// the Debian `dataset-fashion-mnist` package is installed, else the shipped subset) and a
/// convolutional autoencoder (with a picture of digits over their reconstructions).
/// `epochs` can be lowered for tests; pictures go to `outputDirectory`.
public enum ConvolutionDemos {
    /// Where the demos write their pictures: `$KESTREL_OUTPUT_DIR`, else the current folder.
    public static var outputDirectory: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["KESTREL_OUTPUT_DIR"] ?? FileManager.default.currentDirectoryPath)
    }

    /// The result of a demo: its score, the picture it wrote, and which data it used.
    public struct Outcome {
        public let score: Float
        public let image: URL?
        public let dataset: String
    }

    /// mnist5k: conv 32 → pool → conv 64 → pool → dropout 0.5 → dense 128 → 10.
    public static func mnist(epochs: Int = 20, verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Outcome {
        GlobalRandom.setSeed(42)
        let train = try DemoData.images("mnist5k", split: "train", maxValue: 255)
        let test = try DemoData.images("mnist5k", split: "test", maxValue: 255)
        let model = Sequential {
            Input(shape: [28, 28, 1])
            Conv2D(32, kernelSize: 3, activation: .relu)
            MaxPooling2D(2)
            Conv2D(64, kernelSize: 3, activation: .relu)
            MaxPooling2D(2)
            Flatten()
            Dropout(0.5)
            Dense(128, activation: .relu)
            Dense(10)
        }
        let accuracy = try trainClassifier(model, train: train, test: test, epochs: epochs, batchSize: 32, verbose: verbose,
                                           options: options)
        let image = outputDirectory.appendingPathComponent("cnn-mnist-feature-maps.png")
        try writeFeatureMaps(of: model.layers[0], digit: test.images.sliced(alongAxis: 0, 0..<1), to: image)
        return Outcome(score: accuracy, image: image, dataset: "mnist5k (4000 train / 1000 test)")
    }

    /// Fashion-MNIST: the full 60 000/10 000 split from /usr/share/datasets/fashion-mnist
    /// when present (and `fullSetIfInstalled`), else the shipped 10 000/5 000 subset.
    public static func fashion(epochs: Int? = nil, fullSetIfInstalled: Bool = true, verbose: Verbosity = .auto,
                               options: DemoOptions = DemoOptions()) throws -> Outcome {
        GlobalRandom.setSeed(7)
        let (train, test, dataset, full) = try fashionData(full: fullSetIfInstalled)
        let model = Sequential {
            Input(shape: [28, 28, 1])
            Conv2D(32, kernelSize: 3, activation: .relu)
            MaxPooling2D(2)
            Conv2D(64, kernelSize: 3, activation: .relu)
            MaxPooling2D(2)
            Flatten()
            Dense(128, activation: .relu)
            Dense(10)
        }
        let accuracy = try trainClassifier(model, train: train, test: test, epochs: epochs ?? (full ? 9 : 12),
                                           batchSize: 64, verbose: verbose, options: options)
        return Outcome(score: accuracy, image: nil, dataset: dataset)
    }

    /// The W5 autoencoder shape on mnist5k; returns the test MSE.
    public static func autoencoder(epochs: Int = 20, verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Outcome {
        GlobalRandom.setSeed(11)
        let train = try DemoData.images("mnist5k", split: "train", maxValue: 255).images
        let test = try DemoData.images("mnist5k", split: "test", maxValue: 255).images
        let model = Sequential {
            Input(shape: [28, 28, 1])
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(2)
            Conv2D(8, kernelSize: 3, padding: .same, activation: .relu)
            MaxPooling2D(2)
            Conv2D(8, kernelSize: 3, padding: .same, activation: .relu)
            UpSampling2D(2)
            Conv2D(16, kernelSize: 3, padding: .same, activation: .relu)
            UpSampling2D(2)
            Conv2D(1, kernelSize: 3, padding: .same, activation: .sigmoid)
        }
        try model.compile(optimizer: Adam(learningRate: 1e-3), loss: MeanSquaredError())
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: train, y: train, batchSize: 32, epochs: epochs, verbose: verbose)
        let mse = try model.evaluate(x: test, y: test)["loss"] ?? .nan
        // Ten test digits (top) over their reconstructions (bottom).
        let shown = test.sliced(alongAxis: 0, 0..<10)
        let rebuilt = try model.predict(shown)
        var grid = ImageGrid(rows: 2, cols: 10, tileHeight: 28, tileWidth: 28)
        for i in 0..<10 {
            grid.place(shown.selecting(index: i, alongAxis: 0).scalars, row: 0, col: i)
            grid.place(rebuilt.selecting(index: i, alongAxis: 0).scalars, row: 1, col: i)
        }
        let image = outputDirectory.appendingPathComponent("autoencoder-reconstructions.png")
        try grid.write(to: image)
        return Outcome(score: mse, image: image, dataset: "mnist5k (4000 train / 1000 test)")
    }

    /// Adam 1e-3 and sparse cross-entropy from logits; returns the test accuracy.
    static func trainClassifier(_ model: Sequential, train: DemoData.ImageSplit, test: DemoData.ImageSplit,
                                epochs: Int, batchSize: Int, verbose: Verbosity, options: DemoOptions) throws -> Float {
        try model.compile(optimizer: Adam(learningRate: 1e-3), loss: SparseCategoricalCrossentropy(fromLogits: true),
                          metrics: ["accuracy"])
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: train.images, y: train.labels, batchSize: batchSize, epochs: epochs, verbose: verbose,
                        validation: options.curvesURL == nil ? nil : (test.images, test.labels))
        return try model.evaluate(x: test.images, y: test.labels, batchSize: 256)["accuracy"] ?? 0
    }

    /// The input digit and each channel of `layer`'s output for it, tiled 8 to a row.
    static func writeFeatureMaps(of layer: Layer, digit: Tensor, to url: URL) throws {
        let maps = try withoutGradients { try layer(digit) }
        let (h, w, c) = (maps.shape[1], maps.shape[2], maps.shape[3])
        let perRow = 8
        var grid = ImageGrid(rows: 1 + (c + perRow - 1) / perRow, cols: perRow, tileHeight: h, tileWidth: w)
        // The digit, cropped to the maps' size, first.
        let dh = digit.shape[1], dw = digit.shape[2]
        let oy = (dh - h) / 2, ox = (dw - w) / 2
        let pixels = digit.scalars
        grid.place((0..<(h * w)).map { pixels[(oy + $0 / w) * dw + ox + $0 % w] }, row: 0, col: 0)
        let values = maps.scalars
        for ch in 0..<c {
            let tile = (0..<(h * w)).map { values[$0 * c + ch] }
            grid.place(tile, row: 1 + ch / perRow, col: ch % perRow, normalize: true)
        }
        try grid.write(to: url)
    }

    /// (train, test, description, isFull).
    static func fashionData(full: Bool) throws -> (DemoData.ImageSplit, DemoData.ImageSplit, String, Bool) {
        let system = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")
        let names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
        if full, names.allSatisfy({ FileManager.default.fileExists(atPath: system.appendingPathComponent($0).path) }) {
            func split(_ images: String, _ labels: String) throws -> DemoData.ImageSplit {
                let x = try IDXFile.readTensor(contentsOf: system.appendingPathComponent(images))
                let y = try IDXFile.readIntTensor(contentsOf: system.appendingPathComponent(labels))
                return DemoData.ImageSplit(images: (x / 255).expandingDimensions(at: -1), labels: y.asTensor)
            }
            return (try split(names[0], names[1]), try split(names[2], names[3]),
                    "full Fashion-MNIST from \(system.path) (60000 train / 10000 test)", true)
        }
        return (try DemoData.images("fashion_mnist", split: "train", maxValue: 255),
                try DemoData.images("fashion_mnist", split: "test", maxValue: 255),
                "shipped Fashion-MNIST subset Data/fashion_mnist (10000 train / 5000 test)", false)
    }
}
