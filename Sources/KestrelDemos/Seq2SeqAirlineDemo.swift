import Foundation
import Kestrel

/// Encoder–decoder forecasting on the airline passenger series: from the previous 24 months
/// predict the next 12. Encoder LSTM → RepeatVector(12) → decoder LSTM(returnSequences) →
/// TimeDistributed(Dense(1)). Values are log-transformed and each window is centred on the
/// mean of its 24 inputs (trend and multiplicative seasonality become additive and
/// level-free); forecasts are mapped back before scoring. Test windows are those whose
/// targets fall in the last 20% of the series (the split the local baselines use); the
/// seasonal-naive RMSE there is 46.08. Returns the test RMSE in thousands of passengers.
///
/// With `passingStates`, the functional variant: the encoder LSTM returns its final h and c,
/// which start the decoder LSTM (Keras's `initial_state`), instead of only its output.
/// With `attention`, the decoder also attends over every encoder step (Luong-style scaled
/// `Attention`) and its output is read together with that context.
public enum Seq2SeqAirlineDemo {
    static let history = 24, horizon = 12, scale: Float = 4

    public static func run(epochs: Int = 300, passingStates: Bool = false, attention: Bool = false, verbose: Verbosity = .auto,
                           options: DemoOptions = DemoOptions()) throws -> Float {
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
        let model = attention ? try encoderDecoderWithAttention() : passingStates ? try encoderDecoderWithStates() : Sequential {
            Input(shape: [history, 1])
            LSTM(48)
            RepeatVector(horizon)
            LSTM(48, returnSequences: true)
            TimeDistributed(Dense(1))
        }
        try model.compile(optimizer: Adam(learningRate: 3e-3), loss: MeanSquaredError())
        if verbose != .silent { print(try model.summary()) }
        try options.fit(model, x: train.x, y: train.y, batchSize: 8, epochs: epochs, verbose: verbose == .silent ? .silent : .oneLinePerEpoch)
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

    /// encoder LSTM(returnSequences, returnState) → RepeatVector(h) → decoder LSTM started
    /// from (h, c) → Attention over the encoder steps → [decoder, context] → Dense.
    static func encoderDecoderWithAttention() throws -> Model {
        let input = Input(shape: [history, 1], name: "history")
        let encoded = try LSTM(48, returnSequences: true, returnState: true, name: "encoder")([input.output])
        let repeated = try RepeatVector(horizon)(encoded[1])
        let decoded = try LSTM(48, returnSequences: true, name: "decoder")([repeated, encoded[1], encoded[2]])[0]
        let context = try Attention(useScale: true, name: "attention")([decoded, encoded[0]])[0]
        let joined = try Concatenate()([decoded, context])[0]
        let forecast = try TimeDistributed(Dense(1))(joined)
        return try Model(inputs: input, outputs: forecast, name: "seq2seq_attention")
    }

    /// encoder LSTM(returnState) → RepeatVector → decoder LSTM started from (h, c) → Dense.
    static func encoderDecoderWithStates() throws -> Model {
        let input = Input(shape: [history, 1], name: "history")
        let encoded = try LSTM(48, returnState: true, name: "encoder")([input.output])
        let repeated = try RepeatVector(horizon)(encoded[0])
        let decoded = try LSTM(48, returnSequences: true, name: "decoder")([repeated, encoded[1], encoded[2]])[0]
        let forecast = try TimeDistributed(Dense(1))(decoded)
        return try Model(inputs: input, outputs: forecast, name: "seq2seq_states")
    }
}
