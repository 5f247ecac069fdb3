/// The recurrent demos (lstm-gunpoint, bigru-vowels, char-rnn, verse-book, seq2seq-airline).
extension DemoCatalog {
    static let recurrentDemos: [Demo] = [
        ("lstm-gunpoint", { "test_accuracy=\(format(try SequenceClassifierDemos.gunPoint(options: $0)))" }),
        ("bigru-vowels", { "test_accuracy=\(format(try SequenceClassifierDemos.japaneseVowels(options: $0)))" }),
        ("char-rnn", {
            let result = try CharRNNDemo.run(options: $0)
            print("Sample (seed \"And God said\", temperature 0.7):\n\(result.sample)\n")
            return "val_bits_per_char=\(format(result.validationBitsPerChar))"
        }),
        ("verse-book", {
            let result = try VerseClassifierDemo.run(options: $0)
            print("majority baseline: \(format(result.majorityBaseline))")
            return "test_accuracy=\(format(result.testAccuracy))"
        }),
        ("seq2seq-airline", { "test_rmse=\(format(try Seq2SeqAirlineDemo.run(options: $0)))" }),
        ("seq2seq-airline-attention", { "test_rmse=\(format(try Seq2SeqAirlineDemo.run(attention: true, options: $0)))" }),
        ("seq2seq-airline-states", { "test_rmse=\(format(try Seq2SeqAirlineDemo.run(passingStates: true, options: $0)))" }),
    ]
}
