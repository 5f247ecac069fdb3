import Foundation
import Kestrel

/// Many-to-one recurrent classifiers on the shipped UCR/UEA series: an LSTM on GunPoint and
/// a masked bidirectional GRU on the variable-length JapaneseVowels. Each returns the test
/// accuracy; `epochs` can be lowered for tests.
public enum SequenceClassifierDemos {
    /// GunPoint (50 training series of 150 samples): the series is read as 30 steps of 5
    /// consecutive samples, then LSTM(32) → Dense(2).
    public static func gunPoint(epochs: Int = 120, verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Float {
        GlobalRandom.setSeed(42)
        let train = try SequenceData.wide("GunPoint", split: "train"), test = try SequenceData.wide("GunPoint", split: "test")
        func steps(_ s: Tensor) -> Tensor { s.reshaped([s.shape[0], 30, s.shape[1] / 30]) }
        let model = Sequential {
            Input(shape: [30, 5])
            LSTM(32)
            Dense(2)
        }
        try model.compile(optimizer: Adam(learningRate: 3e-3), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: steps(train.series), y: train.labels, batchSize: 10, epochs: epochs, verbose: verbose)
        return try model.evaluate(x: steps(test.series), y: test.labels)["accuracy"] ?? 0
    }

    /// JapaneseVowels (270 training utterances of 7–29 frames × 12 coefficients): channels
    /// standardised over the real frames, series zero-padded to one length, then
    /// Masking → Bidirectional(GRU(32)) → Dense(9), so padding never reaches the GRUs.
    public static func japaneseVowels(epochs: Int = 40, verbose: Verbosity = .auto, options: DemoOptions = DemoOptions()) throws -> Float {
        GlobalRandom.setSeed(42)
        let train = try SequenceData.long("JapaneseVowels", split: "train"), test = try SequenceData.long("JapaneseVowels", split: "test")
        let steps = Swift.max(train.series.shape[1], test.series.shape[1])
        let (mean, std) = channelStatistics(train)
        func prepared(_ d: SequenceData.Labelled) -> Tensor { standardised(d, mean: mean, std: std, steps: steps) }
        let model = Sequential {
            Input(shape: [steps, 12])
            Masking(maskValue: 0)
            Bidirectional(GRU(32))
            Dense(9)
        }
        try model.compile(optimizer: Adam(learningRate: 3e-3), loss: SparseCategoricalCrossentropy(fromLogits: true), metrics: ["accuracy"])
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: prepared(train), y: train.labels, batchSize: 16, epochs: epochs, verbose: verbose)
        return try model.evaluate(x: prepared(test), y: test.labels)["accuracy"] ?? 0
    }

    /// Per-channel mean and standard deviation over the real (unpadded) steps.
    static func channelStatistics(_ d: SequenceData.Labelled) -> (mean: [Float], std: [Float]) {
        let (t, c) = (d.series.shape[1], d.series.shape[2])
        let v = d.series.scalars
        var sum = [Double](repeating: 0, count: c), square = sum, count = 0.0
        for (s, length) in d.lengths.enumerated() {
            for step in 0..<length {
                for k in 0..<c {
                    let x = Double(v[(s * t + step) * c + k])
                    sum[k] += x
                    square[k] += x * x
                }
            }
            count += Double(length)
        }
        let mean = sum.map { $0 / count }
        let std = zip(square, mean).map { Swift.max(($0 / count - $1 * $1).squareRoot(), 1e-6) }
        return (mean.map(Float.init), std.map(Float.init))
    }

    /// Standardised real steps, zeros after each series' end, padded to `steps`.
    static func standardised(_ d: SequenceData.Labelled, mean: [Float], std: [Float], steps: Int) -> Tensor {
        let (n, t, c) = (d.series.shape[0], d.series.shape[1], d.series.shape[2])
        let v = d.series.scalars
        var out = [Float](repeating: 0, count: n * steps * c)
        for (s, length) in d.lengths.enumerated() {
            for step in 0..<length {
                for k in 0..<c { out[(s * steps + step) * c + k] = (v[(s * t + step) * c + k] - mean[k]) / std[k] }
            }
        }
        return Tensor(shape: [n, steps, c], scalars: out)
    }
}
