/// The recurrent demos (lstm-gunpoint, bigru-vowels, char-rnn, seq2seq-airline).
extension DemoCatalog {
    static let recurrentDemos: [Demo] = [
        ("lstm-gunpoint", { "test_accuracy=\(format(try SequenceClassifierDemos.gunPoint()))" }),
        ("bigru-vowels", { "test_accuracy=\(format(try SequenceClassifierDemos.japaneseVowels()))" }),
        ("char-rnn", {
            let result = try CharRNNDemo.run()
            print("Sample (seed \"And God said\", temperature 0.7):\n\(result.sample)\n")
            return "val_bits_per_char=\(format(result.validationBitsPerChar))"
        }),
        ("seq2seq-airline", { "test_rmse=\(format(try Seq2SeqAirlineDemo.run()))" }),
        ("seq2seq-airline-states", { "test_rmse=\(format(try Seq2SeqAirlineDemo.run(passingStates: true)))" }),
    ]
}
