import Foundation
import Hummingbird

/// JSON answers, and the one shape every error takes:
/// `{"error": {"code": "...", "message": "..."}}`.
enum JSONResponse {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func make(_ status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        let bytes = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return make(status, bytes: bytes, headers: headers)
    }

    static func make(_ status: HTTPResponse.Status, bytes: some Sequence<UInt8>, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) -> Response {
        var detail = JSONText()
        detail.field("code", code)
        detail.field("message", message)
        var body = JSONText()
        body.object("error", detail)
        return make(status, bytes: body.finished, headers: headers)
    }
}

extension Request {
    /// The body, or nil when it is larger than `limit` (checked against
    /// `Content-Length` first, so an oversized body is refused unread).
    mutating func collectBody(ifWithin limit: Int) async throws -> ByteBuffer? {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit { return nil }
        do {
            return try await body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return nil
        }
    }

    /// The media type of `Content-Type`, lowercased, without parameters.
    var mediaType: String? {
        guard let value = headers[.contentType] else { return nil }
        let type = value.utf8.prefix { $0 != UInt8(ascii: ";") }
        let trimmed = type.drop { $0 == UInt8(ascii: " ") }.reversed().drop { $0 == UInt8(ascii: " ") }.reversed()
        return String(decoding: trimmed.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
