import Foundation
import Hummingbird

/// JSON answers, and the one shape every error takes:
/// `{"error": {"code": "...", "message": "..."}}`.
enum JSONResponse {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
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

    struct ErrorBody: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
        }
        var error: Detail
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) -> Response {
        make(status, ErrorBody(error: .init(code: code, message: message)), headers: headers)
    }
}

extension Request {
    /// The body, or nil when it is larger than `limit` (checked against
    /// `Content-Length` first, so an oversized body is refused unread).
    mutating func collectBody(limit: Int) async throws -> ByteBuffer? {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > limit { return nil }
        do {
            return try await body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return nil
        }
    }

    /// The media type of `Content-Type`, lowercased, without parameters.
    var mediaType: String? {
        headers[.contentType].map { value in
            value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        }
    }
}
