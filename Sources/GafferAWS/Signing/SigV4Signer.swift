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
    /// Leave the session token out of what is signed and add it to the request afterwards, as some
    /// services require (IoT's MQTT over WebSocket; the test suite's `omit_session_token`).
    public var omitSessionToken = false
    /// The payload hash S3 accepts in place of one: over TLS, and in presigned URLs.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// The derived signing key changes once a day; four HMACs saved on every other signature.
    private let keys: SigningKeys

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.init(credentials: credentials, region: region, service: service, keys: SigningKeys())
    }

    /// With keys shared by every signer of an `AWSClient`, which makes one signer per request.
    init(credentials: AWSCredentials, region: String, service: String, keys: SigningKeys) {
        self.keys = keys
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
        /// Kept as bytes: only `gaffer aws sign` and tests read them as text, and making strings
        /// of them on every request was a tenth of signing's cost.
        let canonicalBytes: [UInt8]
        let stringToSignBytes: [UInt8]
        public let signature: String
        /// Headers to add, in order (header signing), or query items to append (presigning).
        public let additions: [(name: String, value: String)]

        public var canonicalRequest: String { String(decoding: canonicalBytes, as: UTF8.self) }
        public var stringToSign: String { String(decoding: stringToSignBytes, as: UTF8.self) }

        public static func == (lhs: Signature, rhs: Signature) -> Bool {
            lhs.canonicalBytes == rhs.canonicalBytes && lhs.signature == rhs.signature
                && lhs.additions.map(\.name) == rhs.additions.map(\.name) && lhs.additions.map(\.value) == rhs.additions.map(\.value)
        }
    }

    /// Signs in headers: returns the headers to add (session token, date, content hash, Authorization).
    public func sign(_ request: HTTPRequestParts, at date: Date, payloadHash precomputed: String? = nil) -> Signature {
        let (stamp, day) = keys.timestamps(date)
        let payloadHash = precomputed ?? Self.bodyHash(request.body)
        var added: [(name: String, value: String)] = []
        added.reserveCapacity(4)
        if let token = credentials.sessionToken, !omitSessionToken { added.append(("X-Amz-Security-Token", token.revealed)) }
        added.append(("X-Amz-Date", stamp))
        if signBody { added.append(("x-amz-content-sha256", payloadHash)) }
        var names: [UInt8] = []
        let canonical = canonicalRequest(
            request,
            query: request.query.isEmpty ? [] : Self.queryPairs(request.query),
            headers: request.headers + added,
            names: &names,
            payloadHash: payloadHash
        )
        let key = keys.key(day: day, region: region, service: service, credentials: credentials)
        let (toSign, signature) = finish(canonical, stamp: stamp, key: key)
        var authorization = "AWS4-HMAC-SHA256 Credential="
        authorization.reserveCapacity(200 + names.count)
        authorization += credentials.accessKeyID
        authorization += "/"
        authorization += key.scope
        authorization += ", SignedHeaders="
        authorization += String(decoding: names, as: UTF8.self)
        authorization += ", Signature="
        authorization += signature
        added.append(("Authorization", authorization))
        if let token = credentials.sessionToken, omitSessionToken { added.append(("X-Amz-Security-Token", token.revealed)) }
        return Signature(canonicalBytes: canonical, stringToSignBytes: toSign, signature: signature, additions: added)
    }

    /// Presigns: returns the query items to append, the signature last.
    public func presign(_ request: HTTPRequestParts, at date: Date, expires: Int, payloadHash precomputed: String? = nil) -> Signature {
        let (stamp, day) = keys.timestamps(date)
        let key = keys.key(day: day, region: region, service: service, credentials: credentials)
        var names: [UInt8] = []
        var unused: [UInt8] = []
        Self.appendCanonicalHeaders(request.headers, to: &unused, names: &names)
        var added: [(name: String, value: String)] = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(key.scope)"),
            ("X-Amz-Date", stamp),
            ("X-Amz-SignedHeaders", String(decoding: names, as: UTF8.self)),
            ("X-Amz-Expires", String(expires)),
        ]
        if let token = credentials.sessionToken, !omitSessionToken { added.append(("X-Amz-Security-Token", token.revealed)) }
        // A presigned S3 URL is used by whoever holds it, with whatever body: S3 signs it without one.
        let payloadHash = precomputed ?? (service == "s3" ? Self.unsignedPayload : Self.bodyHash(request.body))
        names.removeAll(keepingCapacity: true)
        let canonical = canonicalRequest(
            request,
            query: Self.queryPairs(request.query) + added,
            headers: request.headers,
            names: &names,
            payloadHash: payloadHash
        )
        let (toSign, signature) = finish(canonical, stamp: stamp, key: key)
        added.append(("X-Amz-Signature", signature))
        if let token = credentials.sessionToken, omitSessionToken { added.append(("X-Amz-Security-Token", token.revealed)) }
        return Signature(
            canonicalBytes: canonical,
            stringToSignBytes: toSign,
            signature: signature,
            additions: added.map { ($0.name, Self.encode($0.value)) }
        )
    }

    // MARK: - The parts

    /// The canonical request as bytes; the signed header names go to `names`.
    private func canonicalRequest(
        _ request: HTTPRequestParts,
        query: [(String, String)],
        headers: [(name: String, value: String)],
        names: inout [UInt8],
        payloadHash: String
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512 + request.path.utf8.count + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count })
        bytes += request.method.utf8
        bytes.append(10)
        bytes += canonicalPath(request.path).utf8
        bytes.append(10)
        if !query.isEmpty {
            // Sorted by the encoded bytes, as the specification says (not by Swift's String ordering).
            let encoded = query.map { (key: Array(Self.encode($0.0).utf8), value: Array(Self.encode($0.1).utf8)) }
                .sorted { $0.key == $1.key ? $0.value.lexicographicallyPrecedes($1.value) : $0.key.lexicographicallyPrecedes($1.key) }
            for (index, pair) in encoded.enumerated() {
                if index > 0 { bytes.append(38) }
                bytes += pair.key
                bytes.append(61)
                bytes += pair.value
            }
        }
        bytes.append(10)
        Self.appendCanonicalHeaders(headers, to: &bytes, names: &names)
        bytes.append(10)
        bytes.append(10)
        bytes += names
        bytes.append(10)
        bytes += payloadHash.utf8
        return bytes
    }

    /// The string to sign and the signature, from the canonical request.
    private func finish(_ canonical: [UInt8], stamp: String, key: SigningKeys.DayKey) -> (stringToSign: [UInt8], signature: String) {
        var toSign: [UInt8] = []
        toSign.reserveCapacity(160)
        toSign += "AWS4-HMAC-SHA256\n".utf8
        toSign += stamp.utf8
        toSign.append(10)
        toSign += key.scope.utf8
        toSign.append(10)
        canonical.withUnsafeBytes { SHA256.hash(data: $0).withUnsafeBytes { Self.appendHex($0, to: &toSign) } }
        var mac = key.mac
        toSign.withUnsafeBytes { mac.update(data: $0) }
        var signature: [UInt8] = []
        signature.reserveCapacity(64)
        mac.finalize().withUnsafeBytes { Self.appendHex($0, to: &signature) }
        return (toSign, String(decoding: signature, as: UTF8.self))
    }

    static func bodyHash(_ body: Data) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        body.withUnsafeBytes { SHA256.hash(data: $0).withUnsafeBytes { appendHex($0, to: &hex) } }
        return String(decoding: hex, as: UTF8.self)
    }

    func canonicalPath(_ raw: String) -> String {
        if raw == "/" || raw.isEmpty { return "/" }
        var path = raw
        if normalizePath {
            var segments: [Substring] = []
            for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
                if segment == "." { continue }
                if segment == ".." {
                    _ = segments.popLast()
                    continue
                }
                segments.append(segment)
            }
            let trailing = path.hasSuffix("/") && !segments.isEmpty
            path = "/" + segments.joined(separator: "/") + (trailing ? "/" : "")
        }
        let once = path.split(separator: "/", omittingEmptySubsequences: false).map { Self.encode(String($0)) }.joined(separator: "/")
        return doubleEncodePath
            ? once
            : path.split(separator: "/", omittingEmptySubsequences: false)
                .map { Self.encode(Self.decode(String($0))) }.joined(separator: "/")
    }

    /// Lower-case names, sorted; values trimmed with inner runs of spaces made one, repeats joined by
    /// commas: `name:value` lines appended to `bytes` (when given), `a;b;c` to `names`.
    /// Done on bytes: signing is on the path of every AWS call, and character-level string work was most of its cost.
    private static func appendCanonicalHeaders(_ headers: [(name: String, value: String)], to bytes: inout [UInt8], names: inout [UInt8]) {
        // Strings, not byte arrays: header names are short enough to live inside the String itself,
        // and values are only copied when they must be folded, so a signature allocates little here.
        var entries: [(name: String, value: String)] = []
        entries.reserveCapacity(headers.count)
        for (name, value) in headers {
            let lowered = asciiLowercased(name)
            // Through the bytes' buffer: iterating a String's UTF-8 view byte by byte cost more than hashing the body.
            var value = value
            let folded = value.withUTF8(needsFolding) ? fold(value) : value
            if let index = entries.firstIndex(where: { $0.name == lowered }) {
                entries[index].value += "," + folded
            } else {
                entries.append((lowered, folded))
            }
        }
        // Names are lower-case ASCII (HTTP allows nothing else), where String order is byte order.
        entries.sort { $0.name < $1.name }
        for (index, entry) in entries.enumerated() {
            if index > 0 {
                bytes.append(10)
                names.append(59)
            }
            bytes += entry.name.utf8
            bytes.append(58)
            bytes += entry.value.utf8
            names += entry.name.utf8
        }
    }

    private static func asciiLowercased(_ text: String) -> String {
        var text = text
        return text.withUTF8 { source in
            guard source.contains(where: { $0 >= 65 && $0 <= 90 }) else { return String(decoding: source, as: UTF8.self) }
            return String(unsafeUninitializedCapacity: source.count) { buffer in
                for (index, byte) in source.enumerated() { buffer[index] = byte >= 65 && byte <= 90 ? byte + 32 : byte }
                return source.count
            }
        }
    }

    /// Trimmed, with every run of whitespace (folded lines included) made one space.
    private static func fold(_ value: String) -> String {
        var compact: [UInt8] = []
        compact.reserveCapacity(value.utf8.count)
        var space = false
        for byte in value.utf8 {
            if byte == 32 || byte == 9 || byte == 10 || byte == 13 {
                space = !compact.isEmpty
            } else {
                if space { compact.append(32) }
                space = false
                compact.append(byte)
            }
        }
        return String(decoding: compact, as: UTF8.self)
    }

    /// Whether a header value has whitespace to trim or fold (most do not).
    private static func needsFolding(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        if first == 32 || first == 9 || last == 32 || last == 9 { return true }
        var previousSpace = false
        for byte in bytes {
            if byte == 9 || byte == 10 || byte == 13 || (byte == 32 && previousSpace) { return true }
            previousSpace = byte == 32
        }
        return false
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

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of a digest, read through its bytes (iterating a digest as a sequence cost more than the hashing).
    static func appendHex(_ digest: UnsafeRawBufferPointer, to bytes: inout [UInt8]) {
        for byte in digest {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0xF)])
        }
    }
}

/// What stays the same from one signature to the next, kept for it: the signing key (derived
/// once a day, four HMACs) as a ready HMAC state, the credential scope, and the timestamp of the
/// current second.
final class SigningKeys: @unchecked Sendable {
    // @unchecked: every stored property is only touched with `lock` held.
    private let lock = NSLock()
    /// By credential scope (`day/region/service/aws4_request`): a client signs for several services.
    private var cached: [String: (credentials: AWSCredentials, key: DayKey)] = [:]
    private var clock: (second: Int, stamp: String, day: String)?

    struct DayKey {
        /// An HMAC keyed with the day's signing key, copied for each string to sign.
        let mac: HMAC<SHA256>
        /// `20150830/us-east-1/iam/aws4_request`.
        let scope: String
    }

    func key(day: String, region: String, service: String, credentials: AWSCredentials) -> DayKey {
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        if let cached = lock.withLock({ cached[scope] }), cached.credentials == credentials { return cached.key }
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey.revealed).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key))
        }
        let entry = DayKey(mac: HMAC<SHA256>(key: key), scope: scope)
        lock.withLock {
            // Yesterday's keys are never used again.
            cached = cached.filter { $0.key.hasPrefix(day) }
            cached[scope] = (credentials, entry)
        }
        return entry
    }

    /// `20150830T123600Z` and `20150830`, formatted once per second.
    func timestamps(_ date: Date) -> (stamp: String, day: String) {
        let second = Int(date.timeIntervalSince1970.rounded(.down))
        if let clock = lock.withLock({ clock }), clock.second == second { return (clock.stamp, clock.day) }
        let formatted = SigV4Signer.timestamps(date)
        lock.withLock { clock = (second, formatted.stamp, formatted.day) }
        return formatted
    }
}
