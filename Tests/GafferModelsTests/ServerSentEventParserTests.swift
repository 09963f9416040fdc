import GafferModels
import Testing

struct ServerSentEventParserTests {
    let stream =
        "event: message_start\r\ndata: {\"a\":1}\r\n\r\n: a comment\n\nevent: delta\ndata: first line\ndata: second ☃ line\n\ndata:no-space\n\nid: 7\n\n"

    @Test func eventsAreReadWhateverTheBytesAreCutInto() throws {
        var whole = ServerSentEventParser()
        let expected = try whole.feed(Array(stream.utf8))
        #expect(
            expected == [
                ServerSentEvent(event: "message_start", data: "{\"a\":1}"),
                ServerSentEvent(event: "delta", data: "first line\nsecond ☃ line"),
                ServerSentEvent(data: "no-space"),
            ]
        )
        for size in [1, 2, 3, 5, 13] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            let bytes = Array(stream.utf8)
            for start in stride(from: 0, to: bytes.count, by: size) {
                events += try parser.feed(bytes[start..<min(start + size, bytes.count)])
            }
            #expect(events == expected, "cut into pieces of \(size) bytes")
        }
    }

    @Test func aLineLongerThanTheLimitIsRefused() {
        var parser = ServerSentEventParser(maximumLineBytes: 16)
        #expect(throws: ServerSentEventTooLong.self) { try parser.feed(Array("data: \(String(repeating: "x", count: 40))\n\n".utf8)) }
    }
}
