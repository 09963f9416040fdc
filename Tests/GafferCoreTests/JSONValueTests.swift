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
