import KestrelCore

/// Text to sequences of token ids (Keras `TextVectorization` with `output_mode="int"`):
/// each string is standardized (ASCII lower-casing and stripping ASCII punctuation by
/// default), split (on runs of whitespace by default) and looked up in a vocabulary whose
/// id 0 is padding ("") and id 1 unknown tokens ("[UNK]"); `adapt` learns the vocabulary
/// by frequency as Keras does. Rows are padded with 0 (or cut) to `outputSequenceLength`,
/// or to the longest row when it is nil.
public final class TextVectorization {
    /// How text is normalised before splitting.
    public enum Standardize: String, Sendable {
        case lowerAndStripPunctuation = "lower_and_strip_punctuation", lower, stripPunctuation = "strip_punctuation", none
    }

    /// How a string becomes tokens.
    public enum Split: String, Sendable { case whitespace, character, none }

    public let standardize: Standardize
    public let split: Split
    public let outputSequenceLength: Int?
    private let lookup: StringLookup

    public init(maxTokens: Int? = nil, standardize: Standardize = .lowerAndStripPunctuation, split: Split = .whitespace,
                outputSequenceLength: Int? = nil, vocabulary: [String]? = nil) throws {
        if let outputSequenceLength, outputSequenceLength <= 0 {
            throw KestrelError(.invalidArgument, "TextVectorization: outputSequenceLength must be positive, got \(outputSequenceLength)")
        }
        self.standardize = standardize
        self.split = split
        self.outputSequenceLength = outputSequenceLength
        lookup = try StringLookup(maxTokens: maxTokens, numOOVIndices: 1, maskToken: "", oovToken: "[UNK]", vocabulary: vocabulary)
    }

    /// Keras's `get_vocabulary()`: "", "[UNK]", then the tokens by id.
    public var vocabulary: [String] { lookup.vocabulary }

    /// Learns the vocabulary from `texts`.
    public func adapt(_ texts: [String]) throws { try lookup.adapt(texts.map(tokens)) }

    /// The tokens of one text after standardization and splitting.
    public func tokens(_ text: String) -> [String] {
        var bytes = Array(text.utf8)
        if standardize == .lower || standardize == .lowerAndStripPunctuation {
            bytes = bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }
        }
        if standardize == .stripPunctuation || standardize == .lowerAndStripPunctuation {
            bytes.removeAll { TextVectorization.punctuation.contains($0) }
        }
        let standardized = String(decoding: bytes, as: UTF8.self)
        switch split {
        case .none: return [standardized]
        case .character: return standardized.unicodeScalars.map { String($0) }
        case .whitespace:
            return standardized.utf8.split(whereSeparator: { TextVectorization.whitespace.contains($0) })
                .map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// The ASCII whitespace bytes TensorFlow's whitespace split splits on.
    private static let whitespace: Set<UInt8> = [9, 10, 11, 12, 13, 32]

    /// Python's `string.punctuation`, which Keras's default standardization removes.
    private static let punctuation = Set(Array("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".utf8))

    /// The id sequences of `texts`, (texts, length).
    public func callAsFunction(_ texts: [String]) throws -> Tensor {
        let rows = texts.map(tokens)
        let width = outputSequenceLength ?? rows.map(\.count).max() ?? 0
        var out = [Float](repeating: 0, count: rows.count * width)
        for (i, row) in rows.enumerated() {
            for (j, token) in row.prefix(width).enumerated() { out[i * width + j] = Float(try lookup.id(of: token)) }
        }
        return Tensor(shape: [rows.count, width], scalars: out)
    }
}
