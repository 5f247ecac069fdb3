/// The recurrent demos (lstm-gunpoint, bigru-vowels, char-rnn, seq2seq-airline).
extension DemoCatalog {
    static let recurrentDemos: [Demo] = []
}
