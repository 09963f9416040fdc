import Foundation
import GafferAWS
import GafferCore
import GafferSandbox
import GafferTestSupport
import Testing

@testable import GafferModels

/// What Bedrock adds to the other providers: AWS's event-stream encoding, and requests signed with SigV4.
@Suite struct BedrockConverseTests {
    static let message = EventStreamMessage(
        headers: [":event-type": "contentBlockDelta", ":content-type": "application/json", ":message-type": "event"],
        payload: Array(#"{"contentBlockIndex":0,"delta":{"text":"Hé"},"p":"abc"}"#.utf8)
    )

    @Test func eventStreamMessagesAreReadHoweverTheBytesAreSplit() throws {
        let bytes = Self.message.encoded() + EventStreamMessage(headers: [":event-type": "messageStop"], payload: []).encoded()
        var whole = EventStreamParser()
        let expected = try whole.feed(bytes)
        #expect(expected.count == 2)
        #expect(expected.first == Self.message)
        #expect(expected.last?.payload.isEmpty == true)
        for size in [1, 2, 5, 11, 13, 64] {
            var parser = EventStreamParser()
            var read: [EventStreamMessage] = []
            for start in stride(from: 0, to: bytes.count, by: size) { read += try parser.feed(bytes[start..<min(start + size, bytes.count)]) }
            #expect(read == expected, "split every \(size) bytes")
            #expect(!parser.isMidMessage)
        }
        // The length and CRC fields are AWS's: a message's first four bytes are its whole length, big-endian.
        let encoded = Self.message.encoded()
        #expect(Int(encoded[0]) << 24 | Int(encoded[1]) << 16 | Int(encoded[2]) << 8 | Int(encoded[3]) == encoded.count)
        // CRC-32 (IEEE) of "123456789" is the standard check value.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func aDamagedOrCutMessageIsRefusedNotGuessedAt() throws {
        var payloadFlipped = Self.message.encoded()
        payloadFlipped[payloadFlipped.count - 10] ^= 0x01
        var parser = EventStreamParser()
        #expect(throws: EventStreamError(description: "a message fails its CRC")) { try parser.feed(payloadFlipped) }

        var preludeFlipped = Self.message.encoded()
        preludeFlipped[5] ^= 0x01
        var other = EventStreamParser()
        #expect(throws: EventStreamError(description: "a message's prelude fails its CRC")) { try other.feed(preludeFlipped) }

        // A stream cut inside a message is an error of its own, not a shorter answer.
        let whole = ModelSandbox.streamedBytes(ScriptedTurn(text: "Hello there, a few words."), api: .bedrock, model: "m")
        #expect(throws: EventStreamError(description: "the stream ended inside a message")) {
            try ModelWireCodec.response(streamed: Array(whole.dropLast(3)), api: .bedrock, model: "m", chunk: 7)
        }
    }

    @Test func headersOfEveryTypeAreRead() throws {
        // Bytes built by hand, as another encoder would write them: a bool, an int32, a string and a timestamp.
        var headers: [UInt8] = []
        func name(_ text: String) {
            headers.append(UInt8(text.utf8.count))
            headers += text.utf8
        }
        name(":flag")
        headers.append(0)
        name("count")
        headers += [4, 0xFF, 0xFF, 0xFF, 0xFE]
        name(":event-type")
        headers += [7, 0, 8] + Array("metadata".utf8)
        name("at")
        headers += [8, 0, 0, 0, 0, 0, 0, 0x01, 0x00]
        let payload = Array("{}".utf8)
        var bytes: [UInt8] = []
        let total = UInt32(12 + headers.count + payload.count + 4)
        EventStream.appendBigEndian(total, to: &bytes)
        EventStream.appendBigEndian(UInt32(headers.count), to: &bytes)
        EventStream.appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        bytes += headers + payload
        EventStream.appendBigEndian(CRC32.checksum(bytes), to: &bytes)
        var parser = EventStreamParser()
        let message = try #require(try parser.feed(bytes).first)
        #expect(message.headers == [":flag": "true", "count": "-2", ":event-type": "metadata", "at": "256"])
        #expect(message.payload == payload)
    }

    @Test func aRecordedAnswerReadsTheSameInAnyChunkingAndItsPaddingIsIgnored() throws {
        let turn = ScriptedTurn(
            text: "Checking the bucket settings now.",
            toolUses: [.init(id: "tooluse_1", name: "submit_task", input: ["name": "logs", "versioning": true])],
            inputTokens: 900,
            outputTokens: 40,
            cacheReadTokens: 120
        )
        let bytes = ModelSandbox.streamedBytes(turn, api: .bedrock, model: "m")
        let answers = try [1, 7, 4096].map { try ModelWireCodec.response(streamed: bytes, api: .bedrock, model: "m", chunk: $0) }
        #expect(Set(answers).count == 1)
        let answer = try #require(answers.first)
        #expect(answer.text == "Checking the bucket settings now.")
        #expect(answer.stopReason == .toolUse)
        #expect(answer.toolUses.first?.input == ["name": "logs", "versioning": true])
        #expect(answer.usage == ModelUsage(inputTokens: 900, outputTokens: 40, cacheReadTokens: 120))

        // Without its metadata (the usage), the answer could not be priced: it is refused, not counted as free.
        var parser = EventStreamParser()
        let withoutMetadata = try parser.feed(bytes).filter { $0.headers[":event-type"] != "metadata" }.flatMap { $0.encoded() }
        let error = try #require(throws: ModelError.self) { try ModelWireCodec.response(streamed: withoutMetadata, api: .bedrock, model: "m") }
        #expect(error.description.contains("metadata"))
    }

    @Test func aModelIDIsOnePathSegmentEncodedOnceOnTheWireAndTwiceInTheSignature() async throws {
        // A colon in the ID is %3A in the URL; SigV4 for every service but S3 encodes the path again, so %253A.
        let model = "anthropic.claude-3-haiku-20240307-v1:0"
        #expect(BedrockConverseProvider.path(model: model) == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream")
        let signer = SigV4Signer(credentials: ModelSandboxFixture.awsCredentials, region: "us-east-1", service: "bedrock")
        let parts = HTTPRequestParts(
            method: "POST",
            path: BedrockConverseProvider.path(model: model),
            headers: [(name: "host", value: "bedrock-runtime.us-east-1.amazonaws.com")],
            body: Data("{}".utf8)
        )
        let signature = signer.sign(parts, at: Date(timeIntervalSince1970: 1_780_000_000))
        #expect(signature.canonicalRequest.hasPrefix("POST\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse-stream\n\n"))
        #expect(signature.stringToSign.contains("/us-east-1/bedrock/aws4_request"))

        // And the sandbox, which checks the signature as AWS does, takes the call.
        let fixture = try await ModelSandboxFixture()
        defer { Task { await fixture.stop() } }
        fixture.sandbox.enqueue(.turn(ScriptedTurn(text: "ok")))
        let answer = try await Self.provider(fixture).respond(ModelRequest(model: model, system: "", messages: [.user("hi")]))
        #expect(answer.text == "ok")
        #expect(fixture.sandbox.refusals.isEmpty)
        #expect(fixture.sandbox.received.first?.path == "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream")
        #expect(fixture.sandbox.received.first?.headers["authorization"] == nil, "the sandbox keeps no credentials")
    }

    @Test func aSignatureForAnotherRegionAnOldOneOrAnUnknownKeyIsRefused() async throws {
        let fixture = try await ModelSandboxFixture()
        defer { Task { await fixture.stop() } }
        let request = ModelRequest(model: "m", system: "", messages: [.user("hi")])

        let elsewhere = try await #require(throws: ModelError.self) { try await Self.provider(fixture, region: "eu-west-1").respond(request) }
        #expect(elsewhere.kind == .unauthorized && elsewhere.description.contains("expected us-east-1/bedrock, got eu-west-1/bedrock"))

        let old = try await #require(throws: ModelError.self) {
            try await Self.provider(fixture, now: { Date().addingTimeInterval(-900) }).respond(request)
        }
        #expect(old.kind == .unauthorized && old.description.contains("Signature expired"))

        let stranger = AWSCredentials(accessKeyID: "AKIAUNKNOWN000000000", secretAccessKey: Secret("s"))
        let unknown = try await #require(throws: ModelError.self) { try await Self.provider(fixture, credentials: stranger).respond(request) }
        #expect(unknown.kind == .unauthorized && unknown.description.contains("security token included in the request is invalid"))
        #expect(!unknown.description.contains("AKIAUNKNOWN"))
        #expect(fixture.sandbox.received.isEmpty, "nothing unsigned or wrongly signed got through")
    }

    @Test func credentialsThatCannotBeFoundFailTheCallSayingWhy() async throws {
        struct Missing: AWSCredentialProvider {
            func resolve() async throws -> ResolvedCredentials { throw AWSClientError("no AWS credentials: set AWS_ACCESS_KEY_ID") }
        }
        let provider = BedrockConverseProvider(region: "us-east-1", endpoint: ModelEndpoint(baseURL: "http://127.0.0.1:9"), credentials: Missing())
        let error = try await #require(throws: ModelError.self) {
            try await provider.respond(ModelRequest(model: "m", system: "", messages: [.user("hi")]))
        }
        #expect(error.kind == .unauthorized)
        #expect(error.description.contains("no AWS credentials to sign with") && error.description.contains("AWS_ACCESS_KEY_ID"))
    }

    static func provider(
        _ fixture: ModelSandboxFixture,
        region: String = "us-east-1",
        credentials: AWSCredentials = ModelSandboxFixture.awsCredentials,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> BedrockConverseProvider {
        BedrockConverseProvider(
            region: region,
            endpoint: ModelEndpoint(baseURL: fixture.bedrockURL),
            credentials: StaticCredentialProvider(credentials, source: "test"),
            now: now
        )
    }
}
