import Crypto
import Foundation
import GafferCore

/// AWS Signature Version 4, for a request in headers or as a presigned query string.
///
/// Follows the specification to the byte, proven against AWS's own test suite:
/// the path is normalized (dot segments, repeated slashes) and URI-encoded twice
/// except for S3, which wants neither; query keys and values are decoded, then
/// encoded once and sorted; header values are trimmed, folded lines joined, and
/// repeated headers joined with commas.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    /// Remove `.`/`..` segments and repeated slashes (not for S3, whose keys may hold them).
    public var normalizePath = true
    /// Encode the already encoded path once more (every service but S3).
    public var doubleEncodePath = true
    /// Send the payload's hash as `x-amz-content-sha256` (S3 needs it).
    public var signBody = false
    /// The payload hash S3 accepts in place of one: over TLS, and in presigned URLs.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The derived signing key changes once a day; four HMACs saved on every other signature.
    private let keys = SigningKeys()

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
        if service == "s3" {
            normalizePath = false
            doubleEncodePath = false
            signBody = true
        }
    }

    /// What signing made, for a request and for the person debugging a refused one.
    public struct Signature: Sendable, Equatable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
        /// Headers to add, in order (header signing), or query items to append (presigning).
        public let additions: [(name: String, value: String)]

        public static func == (lhs: Signature, rhs: Signature) -> Bool {
            lhs.canonicalRequest == rhs.canonicalRequest && lhs.signature == rhs.signature
                && lhs.additions.map(\.name) == rhs.additions.map(\.name) && lhs.additions.map(\.value) == rhs.additions.map(\.value)
        }
    }

    /// Signs in headers: returns the headers to add (session token, date, content hash, Authorization).
    public func sign(_ request: HTTPRequestParts, at date: Date, payloadHash precomputed: String? = nil) -> Signature {
        let (stamp, day) = Self.timestamps(date)
        let payloadHash = precomputed ?? Self.hex(SHA256.hash(data: request.body))
        var added: [(String, String)] = []
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token.revealed)) }
        added.append(("X-Amz-Date", stamp))
        if signBody { added.append(("x-amz-content-sha256", payloadHash)) }
        let headers = canonicalHeaders(request.headers + added)
        let canonical = canonicalRequest(request, query: Self.queryPairs(request.query), headers: headers, payloadHash: payloadHash)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let toSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope)\n\(Self.sha256Hex(canonical))"
        let signature = sign(toSign, day: day)
        added.append(("Authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(headers.names), Signature=\(signature)"))
        return Signature(canonicalRequest: canonical, stringToSign: toSign, signature: signature, additions: added)
    }

    /// Presigns: returns the query items to append, the signature last.
    public func presign(_ request: HTTPRequestParts, at date: Date, expires: Int, payloadHash precomputed: String? = nil) -> Signature {
        let (stamp, day) = Self.timestamps(date)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let headers = canonicalHeaders(request.headers)
        var added: [(String, String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", stamp),
            ("X-Amz-SignedHeaders", headers.names),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken { added.append(("X-Amz-Security-Token", token.revealed)) }
        // A presigned S3 URL is used by whoever holds it, with whatever body: S3 signs it without one.
        let payloadHash = precomputed ?? (service == "s3" ? Self.unsignedPayload : Self.hex(SHA256.hash(data: request.body)))
        let canonical = canonicalRequest(request, query: Self.queryPairs(request.query) + added, headers: headers, payloadHash: payloadHash)
        let toSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope)\n\(Self.sha256Hex(canonical))"
        let signature = sign(toSign, day: day)
        added.append(("X-Amz-Signature", signature))
        return Signature(canonicalRequest: canonical, stringToSign: toSign, signature: signature,
                         additions: added.map { ($0.0, Self.encode($0.1)) })
    }

    // MARK: - The parts

    private func canonicalRequest(_ request: HTTPRequestParts, query: [(String, String)], headers: CanonicalHeaders, payloadHash: String) -> String {
        // Sorted by the encoded bytes, as the specification says (not by Swift's String ordering).
        let encoded: [(key: String, value: String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
        let sorted = encoded.sorted { (a: (key: String, value: String), b: (key: String, value: String)) -> Bool in
            a.key == b.key ? a.value.utf8.lexicographicallyPrecedes(b.value.utf8) : a.key.utf8.lexicographicallyPrecedes(b.key.utf8)
        }
        let canonicalQuery = sorted.map { $0.key + "=" + $0.value }.joined(separator: "&")
        return [request.method, canonicalPath(request.path), canonicalQuery, headers.text, "", headers.names, payloadHash].joined(separator: "\n")
    }

    func canonicalPath(_ raw: String) -> String {
        if raw == "/" || raw.isEmpty { return "/" }
        var path = raw
        if normalizePath {
            var segments: [Substring] = []
            for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
                if segment == "." { continue }
                if segment == ".." { _ = segments.popLast(); continue }
                segments.append(segment)
            }
            let trailing = path.hasSuffix("/") && !segments.isEmpty
            path = "/" + segments.joined(separator: "/") + (trailing ? "/" : "")
        }
        let once = path.split(separator: "/", omittingEmptySubsequences: false).map { Self.encode(String($0)) }.joined(separator: "/")
        return doubleEncodePath ? once : path.split(separator: "/", omittingEmptySubsequences: false)
            .map { Self.encode(Self.decode(String($0))) }.joined(separator: "/")
    }

    private struct CanonicalHeaders {
        let text: String
        let names: String
    }

    /// Lower-case names, sorted; values trimmed with inner runs of spaces made one, repeats joined by commas.
    /// Done on bytes: signing is on the path of every AWS call, and character-level string work was most of its cost.
    private func canonicalHeaders(_ headers: [(name: String, value: String)]) -> CanonicalHeaders {
        var entries: [(name: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(headers.count)
        for (name, value) in headers {
            var lowered = Array(name.utf8)
            for index in lowered.indices where lowered[index] >= 65 && lowered[index] <= 90 { lowered[index] += 32 }
            var folded = Array(value.utf8)
            if Self.needsFolding(folded) {
                var compact: [UInt8] = []
                compact.reserveCapacity(folded.count)
                var space = false
                for byte in folded {
                    if byte == 32 || byte == 9 || byte == 10 || byte == 13 {
                        space = !compact.isEmpty
                    } else {
                        if space { compact.append(32) }
                        space = false
                        compact.append(byte)
                    }
                }
                folded = compact
            }
            if let index = entries.firstIndex(where: { $0.name == lowered }) {
                entries[index].value.append(44)
                entries[index].value += folded
            } else {
                entries.append((lowered, folded))
            }
        }
        entries.sort { $0.name.lexicographicallyPrecedes($1.name) }
        var text: [UInt8] = []
        var names: [UInt8] = []
        for (index, entry) in entries.enumerated() {
            if index > 0 {
                text.append(10)
                names.append(59)
            }
            text += entry.name
            text.append(58)
            text += entry.value
            names += entry.name
        }
        return CanonicalHeaders(text: String(decoding: text, as: UTF8.self), names: String(decoding: names, as: UTF8.self))
    }

    /// Whether a header value has whitespace to trim or fold (most do not).
    private static func needsFolding(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        if first == 32 || first == 9 || last == 32 || last == 9 { return true }
        var previousSpace = false
        for byte in bytes {
            if byte == 9 || byte == 10 || byte == 13 || (byte == 32 && previousSpace) { return true }
            previousSpace = byte == 32
        }
        return false
    }

    private static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    private func sign(_ stringToSign: String, day: String) -> String {
        let key = keys.key(day: day, region: region, service: service, credentials: credentials)
        var text = stringToSign
        return text.withUTF8 { Self.hex(HMAC<SHA256>.authenticationCode(for: UnsafeRawBufferPointer($0), using: key)) }
    }

    // MARK: - Encoding

    /// RFC 3986 percent-encoding of everything but the unreserved characters, in UTF-8.
    public static func encode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(UnicodeScalar(byte))
            default:
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    static func decode(_ text: String) -> String {
        text.removingPercentEncoding ?? text
    }

    /// `a=1&b&c=3` as decoded pairs, in order.
    static func queryPairs(_ query: String) -> [(String, String)] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(String(parts[0])), parts.count > 1 ? decode(String(parts[1])) : "")
        }
    }

    static func timestamps(_ date: Date) -> (stamp: String, day: String) {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))"
        return (day + "T" + two(parts.tm_hour) + two(parts.tm_min) + two(parts.tm_sec) + "Z", day)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in digest {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Signing keys derived for a day, region, service and secret, kept for the next signature.
final class SigningKeys: @unchecked Sendable {
    // @unchecked: `cached` is only touched with `lock` held.
    private let lock = NSLock()
    private var cached: (id: String, key: SymmetricKey)?

    func key(day: String, region: String, service: String, credentials: AWSCredentials) -> SymmetricKey {
        let id = [day, region, service, credentials.accessKeyID, credentials.secretAccessKey.revealed].joined(separator: "\n")
        if let cached = lock.withLock({ cached }), cached.id == id { return cached.key }
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey.revealed).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key))
        }
        lock.withLock { cached = (id, key) }
        return key
    }
}
