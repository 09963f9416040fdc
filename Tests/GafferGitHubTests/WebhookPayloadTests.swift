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
