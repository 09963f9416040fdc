import Foundation
import GafferCore
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripsEveryKindOfValue() throws {
        let text = #"{"a":[1,2.5,true,false,null,"x"],"b":{"c":"d"},"n":-7}"#
        let value = try JSONValue.decode(Data(text.utf8))
        #expect(value["n"] == .number(-7))
        #expect(value["b"]?["c"] == .string("d"))
        let again = try JSONValue.decode(try value.encoded())
        #expect(again == value)
        #expect(String(decoding: try value.encoded(), as: UTF8.self) == text)
    }

    @Test("24: numbers come back exactly as they were sent, beyond 2^53 and in long fractions")
    func numbersKeepEveryDigit() throws {
        for number in [
            "9007199254740993", "9223372036854775807", "-9223372036854775808", "123456789012345678901234567890",
            "0.1", "3.141592653589793238462643383279", "-0.000001", "1000000000000000000000",
        ] {
            let text = #"{"n":\#(number)}"#
            let value = try JSONValue.decode(Data(text.utf8))
            #expect(String(decoding: try value.encoded(), as: UTF8.self) == text, "\(number)")
        }
        #expect(try JSONValue.decode(Data(#"{"s":2.5}"#.utf8))["s"]?.doubleValue == 2.5)
    }

    @Test func refusesWhatIsNotJSON() {
        #expect(throws: (any Error).self) { try JSONValue.decode(Data("{nope".utf8)) }
    }
}

/// The hand-written reader and writer agree with Foundation's coders on what they accept and what they mean.
@Suite struct JSONTextTests {
    static let documents = [
        #"{"a":[1,2.5,true,false,null,"x"],"b":{"c":"d"},"n":-7}"#,
        #"  [ "tab\there", "quote \" and \\ and \/", "\u00e9\u4e2d", "\ud83e\udd86", "line\nbreak\r\f\b", -0.5e-3, 1E+2 ] "#,
        #"{"nested":{"deep":[[[{}]]],"empty":[]},"unicode":"snow ☃ and 🦆"}"#,
        #""just a string""#, "42", "null",
        #"{"control":"a\u0001b\u001fc\u0000", "long":"plain text, then an escape at the very end\n"}"#,
    ]

    @Test(arguments: documents)
    func theReaderMeansWhatFoundationMeans(_ text: String) throws {
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValue.parse(Data(text.utf8)) == foundation)
        // Written and read again, by either, it is the same value.
        let written = foundation.serialized()
        #expect(try JSONDecoder().decode(JSONValue.self, from: written) == foundation)
        #expect(try JSONValue.parse(written) == foundation)
        #expect(written == (try foundation.encoded()), "the same bytes as Foundation's sorted, compact encoding")
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "tru", "01x", "\"unterminated", "\"\\x\"", "\"\\ud800\"", "1 2", "{\"a\":1,}", "[\"\u{01}\"]", "-", "1.", "1e",
    ])
    func theReaderRefusesWhatIsNotJSON(_ text: String) {
        // Stricter than Foundation, which takes a trailing comma.
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(text.utf8)) }
    }

    @Test func aRepeatedKeyMeansItsLastValue() throws {
        #expect(try JSONValue.parse(Data(#"{"dup":1,"dup":2}"#.utf8)) == .object(["dup": 2]))
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(deep.utf8)) }
    }

    @Test func theSizeEstimateIsCloseToTheText() throws {
        let value = try JSONValue.parse(Data(Self.documents[2].utf8))
        let actual = value.serialized().count
        #expect(abs(value.approximateByteCount - actual) <= actual / 4 + 8)
    }
}
