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

    @Test func refusesWhatIsNotJSON() {
        #expect(throws: (any Error).self) { try JSONValue.decode(Data("{nope".utf8)) }
    }
}
