import KestrelCore

/// Maps strings to integer ids through a vocabulary (Keras `StringLookup`, int output):
/// ids start with the mask token (when there is one), then the out-of-vocabulary index
/// (when `numOOVIndices` is 1), then the vocabulary. `adapt` learns the vocabulary from
/// data as Keras does: the most frequent tokens first, ties in descending token order,
/// at most `maxTokens` ids in all.
public final class StringLookup {
    public let maxTokens: Int?
    /// 1 (unknown tokens map to one id) or 0 (unknown tokens are an error).
    public let numOOVIndices: Int
    public let maskToken: String?
    public let oovToken: String
    /// The learned or given tokens, in id order, without the mask and OOV tokens.
    public private(set) var tokens: [String]
    private var ids: [String: Int] = [:]

    public init(maxTokens: Int? = nil, numOOVIndices: Int = 1, maskToken: String? = nil, oovToken: String = "[UNK]",
                vocabulary: [String]? = nil) throws {
        guard numOOVIndices == 0 || numOOVIndices == 1 else {
            throw KestrelError(.unsupported, "StringLookup: numOOVIndices \(numOOVIndices) is not supported (Keras hashes unknown tokens over several indices); use 0 or 1")
        }
        self.maxTokens = maxTokens
        self.numOOVIndices = numOOVIndices
        self.maskToken = maskToken
        self.oovToken = oovToken
        tokens = []
        if let maxTokens, maxTokens <= reserved {
            throw KestrelError(.invalidArgument, "StringLookup: maxTokens \(maxTokens) leaves no room beside the \(reserved) reserved ids (mask and OOV)")
        }
        if let vocabulary { try setVocabulary(vocabulary) }
    }

    /// Ids taken by the mask and OOV tokens.
    private var reserved: Int { (maskToken == nil ? 0 : 1) + numOOVIndices }

    /// Keras's `get_vocabulary()`: the token of every id.
    public var vocabulary: [String] {
        (maskToken.map { [$0] } ?? []) + (numOOVIndices == 1 ? [oovToken] : []) + tokens
    }

    /// Uses `vocabulary` (distinct tokens, none of them the mask or OOV token) as given.
    public func setVocabulary(_ vocabulary: [String]) throws {
        guard Set(vocabulary).count == vocabulary.count else {
            throw KestrelError(.invalidArgument, "StringLookup: the vocabulary repeats tokens; give each token once")
        }
        if let bad = vocabulary.first(where: { $0 == maskToken || ($0 == oovToken && numOOVIndices > 0) }) {
            throw KestrelError(.invalidArgument, "StringLookup: the vocabulary holds the reserved token \"\(bad)\"; leave the mask and OOV tokens out")
        }
        tokens = vocabulary
        ids = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0 + reserved) })
    }

    /// Learns the vocabulary from `data`: by count, most frequent first, ties in descending
    /// token order (Keras's `np.lexsort((tokens, counts))[::-1]`).
    public func adapt(_ data: [[String]]) throws {
        var counts: [String: Int] = [:]
        for row in data { for token in row where token != maskToken { counts[token, default: 0] += 1 } }
        var ranked = counts.sorted {
            $0.value != $1.value ? $0.value > $1.value : Array($1.key.utf8).lexicographicallyPrecedes(Array($0.key.utf8))
        }
        if numOOVIndices > 0 { ranked.removeAll { $0.key == oovToken } }
        if let maxTokens { ranked = Array(ranked.prefix(maxTokens - reserved)) }
        try setVocabulary(ranked.map(\.key))
    }

    /// The id of one token: its vocabulary id, 0 for the mask token, the OOV id otherwise.
    public func id(of token: String) throws -> Int {
        if let maskToken, token == maskToken { return 0 }
        if let id = ids[token] { return id }
        guard numOOVIndices == 1 else {
            throw KestrelError(.invalidData, "StringLookup: \"\(token.prefix(40))\" is not in the vocabulary and numOOVIndices is 0")
        }
        return maskToken == nil ? 0 : 1
    }

    /// Ids of rows of tokens, as a (rows, longest row) tensor padded with 0.
    public func callAsFunction(_ rows: [[String]]) throws -> Tensor {
        let width = rows.map(\.count).max() ?? 0
        var out = [Float](repeating: 0, count: rows.count * width)
        for (i, row) in rows.enumerated() {
            for (j, token) in row.enumerated() { out[i * width + j] = Float(try id(of: token)) }
        }
        return Tensor(shape: [rows.count, width], scalars: out)
    }
}
