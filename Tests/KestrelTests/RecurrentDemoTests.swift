import XCTest
import Kestrel
import KestrelDemos

/// Shortened runs of the recurrent demos with their fixed seeds.
final class RecurrentDemoTests: XCTestCase {
    /// The whole demo: it takes under a second.
    func testLSTMOnGunPoint() throws {
        XCTAssertGreaterThanOrEqual(try SequenceClassifierDemos.gunPoint(verbose: .silent), 0.93)
    }

    func testMaskedBidirectionalGRUOnJapaneseVowels() throws {
        XCTAssertGreaterThanOrEqual(try SequenceClassifierDemos.japaneseVowels(epochs: 15, verbose: .silent), 0.95)
    }

    /// Padded, masked verses through TextVectorization: far above the majority class.
    func testVerseBookClassifierBeatsTheMajorityClass() throws {
        let result = try VerseClassifierDemo.run(verbose: .silent)
        XCTAssertGreaterThanOrEqual(result.testAccuracy, 0.87)
        XCTAssertGreaterThan(result.testAccuracy, result.majorityBaseline + 0.25)
    }

    func testEncoderDecoderWithAttentionBeatsSeasonalNaiveOnAirline() throws {
        XCTAssertLessThan(try Seq2SeqAirlineDemo.run(epochs: 150, attention: true, verbose: .silent), 46.1)
    }

    func testEncoderDecoderBeatsSeasonalNaiveOnAirline() throws {
        XCTAssertLessThan(try Seq2SeqAirlineDemo.run(epochs: 150, verbose: .silent), 46.1)
    }

    /// One short epoch of a small model already beats the unigram (4.36 bits) by far, and
    /// generation extends the seed with characters of the text's alphabet.
    func testCharacterModelLearnsAndSamples() throws {
        let result = try CharRNNDemo.run(epochs: 1, units: 64, sequenceLength: 50, sampleLength: 40, verbose: .silent)
        XCTAssertLessThan(result.validationBitsPerChar, 3.3)
        XCTAssertTrue(result.sample.hasPrefix("And God said"))
        XCTAssertEqual(result.sample.utf8.count, "And God said".utf8.count + 40)
    }
}
