import Foundation
import Kestrel

/// Encoder–decoder forecasting on the airline passenger series: from the previous 24 months
/// predict the next 12. Encoder LSTM → RepeatVector(12) → decoder LSTM(returnSequences) →
/// TimeDistributed(Dense(1)). Values are log-transformed and each window is centred on the
/// mean of its 24 inputs (trend and multiplicative seasonality become additive and
/// level-free); forecasts are mapped back before scoring. Test windows are those whose
/// targets fall in the last 20% of the series (the split the local baselines use); the
/// seasonal-naive RMSE there is 46.08. Returns the test RMSE in thousands of passengers.
public enum Seq2SeqAirlineDemo {
    static let history = 24, horizon = 12, scale: Float = 4

    public static func run(epochs: Int = 300, verbose: Verbosity = .auto) throws -> Float {
        GlobalRandom.setSeed(42)
        let values = try SequenceData.column("airline", file: "airline.csv", "passengers_thousands")
        let logs = values.map { Foundation.log($0) }
        let testStart = values.count - values.count / 5
        func windows(_ starts: ClosedRange<Int>) -> (x: Tensor, y: Tensor, levels: [Float]) {
            var x = [Float](), y = [Float](), levels = [Float]()
            for s in starts {
                let level = logs[s..<(s + history)].reduce(0, +) / Float(history)
                levels.append(level)
                x += logs[s..<(s + history)].map { ($0 - level) * scale }
                y += logs[(s + history)..<(s + history + horizon)].map { ($0 - level) * scale }
            }
            return (Tensor(shape: [levels.count, history, 1], scalars: x), Tensor(shape: [levels.count, horizon, 1], scalars: y), levels)
        }
        let train = windows(0...(testStart - history - horizon))
        let test = windows((testStart - history)...(values.count - history - horizon))
        let model = Sequential {
            Input(shape: [history, 1])
            LSTM(48)
            RepeatVector(horizon)
            LSTM(48, returnSequences: true)
            TimeDistributed(Dense(1))
        }
        try model.compile(optimizer: Adam(learningRate: 3e-3), loss: MeanSquaredError())
        if verbose != .silent { print(try model.summary()) }
        try model.fit(x: train.x, y: train.y, batchSize: 8, epochs: epochs, verbose: verbose == .silent ? .silent : .oneLinePerEpoch)
        let predicted = try model.predict(test.x).scalars
        var squared = 0.0
        for (w, level) in test.levels.enumerated() {
            let start = testStart - history + w + history
            for k in 0..<horizon {
                let forecast = Foundation.exp(predicted[w * horizon + k] / scale + level)
                squared += Double((forecast - values[start + k]) * (forecast - values[start + k]))
            }
        }
        return Float((squared / Double(test.levels.count * horizon)).squareRoot())
    }
}
