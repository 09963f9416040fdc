import Foundation
import GafferGitHub
import GafferTestSupport
import Testing

@Suite struct WebhookPayloadTests {
    @Test func findsTheSameActionAsAFullParseInEveryRealPayload() throws {
        let samples = try Conformance.webhookSamples()
        #expect(samples.count >= 80)
        for sample in samples {
            let object = try #require(try JSONSerialization.jsonObject(with: sample.body) as? [String: Any])
            let expected = object["action"] as? String
            #expect(try WebhookPayload.action(in: sample.body) == expected, "\(sample)")
        }
    }

    @Test func findsAnActionThatIsNotFirst() throws {
        let body = Data(#"{"zen":"x","nested":{"action":"inner","list":[1,{"action":"deeper"}]},"action":"outer"}"#.utf8)
        #expect(try WebhookPayload.action(in: body) == "outer")
    }

    @Test func decodesEscapesInTheAction() throws {
        #expect(try WebhookPayload.action(in: Data(#"{"action":"a\"b\u0041"}"#.utf8)) == "a\"bA")
    }

    @Test func aPayloadWithoutActionHasNone() throws {
        #expect(try WebhookPayload.action(in: Data(#"{"zen":"Keep it logically awesome.","hook_id":1}"#.utf8)) == nil)
        #expect(try WebhookPayload.action(in: Data("{}".utf8)) == nil)
        #expect(try WebhookPayload.action(in: Data(#"{"action":null}"#.utf8)) == nil)
    }

    @Test(arguments: ["[1,2]", "\"text\"", "", "   ", "42"])
    func refusesWhatIsNotAnObject(_ text: String) {
        #expect(throws: WebhookPayload.Failure.notAnObject) { try WebhookPayload.action(in: Data(text.utf8)) }
    }

    @Test(arguments: [#"{"a":1"#, #"{"a" 1}"#, #"{"a":"unterminated}"#, #"{a:1}"#, #"{"a":[1,2}"#, #"{"a":}"#])
    func refusesMalformedJSON(_ text: String) {
        #expect(throws: (any Error).self) { try WebhookPayload.action(in: Data(text.utf8)) }
    }

    @Test(
        "15: a body broken after its action is refused, not acknowledged",
        arguments: [
            #"{"action":"opened","issue":{"x":1}"#, #"{"action":"opened"} trailing"#, #"{"action":"opened"}{"b":1}"#,
            #"{"action":"opened","n":01}"#, #"{"action":"opened","n":1.}"#, #"{"action":"opened","n":-}"#, #"{"action":"opened","t":tru}"#,
            #"{"action":"opened","x":nul}"#, #"{"action":"opened","x":abc}"#, #"{"action":"opened","n":210E1067}"#, #"{"action":"opened","s":"\q"}"#,
            #"{"action":"opened","s":"\u12"}"#,
        ]
    )
    func refusesABodyBrokenAfterItsAction(_ text: String) {
        #expect(throws: WebhookPayload.Failure.self) { try WebhookPayload.action(in: Data(text.utf8)) }
    }

    @Test("15: on a real payload changed at random, the scan accepts only what Foundation's JSON parser accepts")
    func acceptsOnlyJSON() throws {
        let sample = try #require(try Conformance.webhookSamples().first { $0.event == "issues" })
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[],:"\ 0123456789.-+eEtrufalsn"#.utf8)
        var refused = 0
        for _ in 0..<2_000 {
            var bytes = [UInt8](sample.body)
            var changed: [Int] = []
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[at] = alphabet.randomElement(using: &generator) ?? 0
                changed.append(at)
            }
            let scanned = (try? WebhookPayload.action(in: Data(bytes))) != nil
            let parsed = (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
            if !scanned { refused += 1 }
            #expect(
                !scanned || parsed,
                "accepted what is not JSON, changed around: \(changed.map { String(decoding: bytes[max(0, $0 - 30)..<min(bytes.count, $0 + 30)], as: UTF8.self) })"
            )
        }
        #expect(refused > 100, "the mutations broke the body often enough to tell")
    }

    @Test("15: a byte the string scan must stop on is found at every place in its eight-byte word")
    func everyByteAtEveryOffsetInAString() throws {
        // Quote, backslash, every control character, their neighbours, and UTF-8: whole, cut short, overlong, a surrogate, too high.
        let probes: [[UInt8]] =
            (Array(0x00...0x21) + [0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xC0, 0xDC, 0xF5, 0xFF]).map { [$0] } + [
                [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],
                [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3, 0xA9, 0xA9],
            ]
        for offset in 0..<17 {
            for probe in probes {
                for tail in [#"x"}"#, #"n"}"#, #""}"#] {
                    let bytes =
                        Array(#"{"action":"opened","s":""#.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: offset) + probe + Array(tail.utf8)
                    let scanned = (try? WebhookPayload.action(in: Data(bytes))) != nil
                    let parsed = (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
                    #expect(scanned == parsed, "bytes \(probe) after \(offset) plain bytes, then \(tail)")
                }
            }
        }
    }

    @Test func refusesDeepNestingInsteadOfRecursingForever() {
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: (any Error).self) { try WebhookPayload.action(in: Data(deep.utf8)) }
    }

    @Test func readsTheJSONOutOfAFormEncodedDelivery() throws {
        let json = #"{"action":"opened","text":"a+b & c=d"}"#
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = try #require(json.addingPercentEncoding(withAllowedCharacters: allowed))
        let body = Array("other=1&payload=\(encoded)".utf8)
        let decoded = try WebhookPayload.jsonFromForm(body)
        #expect(String(decoding: decoded, as: UTF8.self) == json)
        #expect(try WebhookPayload.action(in: Data(decoded)) == "opened")
    }

    @Test func aFormWithoutPayloadIsRefused() {
        #expect(throws: WebhookPayload.Failure.missingFormPayload) { try WebhookPayload.jsonFromForm(Array("a=1&b=2".utf8)) }
    }
}
