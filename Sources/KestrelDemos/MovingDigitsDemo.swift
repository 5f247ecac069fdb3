import Foundation
import Kestrel

/// Next-frame prediction with ConvLSTM2D on sequences built from real digits: each mnist5k
/// digit, shrunk to 10×10, moves across a 20×20 canvas at a random constant velocity
/// (bouncing off the edges) for 7 frames; the model sees frames 0…5 and predicts frames
/// 1…6: ConvLSTM2D(12, 3×3, same, sequences) → TimeDistributed(Conv2D(1, 3×3, sigmoid)).
/// The baseline copies each frame seen as the prediction of the next; the score is the
/// test MSE over all predicted frames. Writes a picture: for 4 test sequences,
/// the true frames 1…6 over the predicted ones.
public enum MovingDigitsDemo {
    public struct Result {
        public let testMSE: Float
        public let copyLastFrameMSE: Float
        public let image: URL
    }

    static let canvas = 20, digit = 10, frames = 7

    public static func run(epochs: Int = 8, trainSequences: Int = 1200, verbose: Verbosity = .auto,
                           options: DemoOptions = DemoOptions()) throws -> Result {
        GlobalRandom.setSeed(42)
        let train = try sequences(from: try DemoData.images("mnist5k", split: "train", maxValue: 255).images, count: trainSequences, seed: 1)
        let test = try sequences(from: try DemoData.images("mnist5k", split: "test", maxValue: 255).images, count: 300, seed: 2)
        func split(_ s: Tensor) -> (x: Tensor, y: Tensor) {
            (s.sliced(alongAxis: 1, 0..<(frames - 1)), s.sliced(alongAxis: 1, 1..<frames))
        }
        let (xTrain, yTrain) = split(train), (xTest, yTest) = split(test)
        let model = Sequential {
            Input(shape: [nil, canvas, canvas, 1])
            ConvLSTM2D(12, kernelSize: 3, padding: .same, returnSequences: true)
            TimeDistributed(Conv2D(1, kernelSize: 3, padding: .same, activation: .sigmoid))
        }
        try model.compile(optimizer: Adam(learningRate: 3e-3), loss: BinaryCrossentropy())
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: xTrain, y: yTrain, batchSize: 16, epochs: epochs, verbose: verbose)
        let predicted = try model.predict(xTest)
        let mse = ((predicted - yTest) * (predicted - yTest)).mean().scalar
        // Copying each seen frame as the prediction of the next one.
        let baseline = ((xTest - yTest) * (xTest - yTest)).mean().scalar
        var grid = ImageGrid(rows: 8, cols: frames - 1, tileHeight: canvas, tileWidth: canvas)
        for s in 0..<4 {
            for t in 0..<(frames - 1) {
                grid.place(yTest.selecting(index: s, alongAxis: 0).selecting(index: t, alongAxis: 0).scalars, row: 2 * s, col: t)
                grid.place(predicted.selecting(index: s, alongAxis: 0).selecting(index: t, alongAxis: 0).scalars, row: 2 * s + 1, col: t)
            }
        }
        let image = ConvolutionDemos.outputDirectory.appendingPathComponent("moving-digits-next-frames.png")
        try grid.write(to: image)
        return Result(testMSE: mse, copyLastFrameMSE: baseline, image: image)
    }

    /// `count` sequences (count, frames, canvas, canvas, 1) of digits drawn from `images`.
    static func sequences(from images: Tensor, count: Int, seed: UInt64) throws -> Tensor {
        var generator = RandomGenerator(seed: seed)
        let n = images.shape[0], side = canvas, small = digit
        var out = [Float](repeating: 0, count: count * frames * side * side)
        let pixels = images.scalars
        for s in 0..<count {
            let which = generator.nextIndex(below: n)
            // 28×28 → 10×10 by averaging (the 28 rows map onto 10 bins).
            var tile = [Float](repeating: 0, count: small * small)
            for r in 0..<28 { for c in 0..<28 { tile[(r * small / 28) * small + c * small / 28] += pixels[which * 784 + r * 28 + c] } }
            let peak = tile.max() ?? 1
            if peak > 0 { tile = tile.map { $0 / peak } }
            var y = generator.nextIndex(below: side - small + 1), x = generator.nextIndex(below: side - small + 1)
            var dy = generator.nextIndex(below: 5) - 2, dx = generator.nextIndex(below: 5) - 2
            if dy == 0 && dx == 0 { dx = 1 }
            for f in 0..<frames {
                let base = (s * frames + f) * side * side
                for r in 0..<small { for c in 0..<small { out[base + (y + r) * side + x + c] = tile[r * small + c] } }
                if y + dy < 0 || y + dy > side - small { dy = -dy }
                if x + dx < 0 || x + dx > side - small { dx = -dx }
                y += dy
                x += dx
            }
        }
        return Tensor(shape: [count, frames, side, side, 1], scalars: out)
    }
}
