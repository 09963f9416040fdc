import Crypto
import Foundation

/// Amazon S3 (rest-xml): buckets, their settings, and objects.
public struct S3: Sendable {
    public let client: AWSClient
    public var region: String?

    public init(_ client: AWSClient, region: String? = nil) {
        self.client = client
        self.region = region
    }

    public struct Bucket: Sendable, Equatable {
        public let name: String
        public let creationDate: String
        /// Where the bucket lives, when the answer says (AWS does since 2024; older endpoints do not).
        public var region: String? = nil
    }

    public struct Object: Sendable, Equatable {
        public let key: String
        public let size: Int
        public let eTag: String
        public let lastModified: String
    }

    public struct ObjectList: Sendable {
        public let objects: [Object]
        public let commonPrefixes: [String]
        /// Pass back as `continuationToken` for the next page; nil on the last.
        public let nextContinuationToken: String?
    }

    public struct StoredObject: Sendable {
        public let body: Data
        public let contentType: String?
        public let eTag: String?
        public let metadata: [String: String]
    }

    public struct PublicAccessBlock: Sendable, Equatable {
        public var blockPublicAcls = true
        public var ignorePublicAcls = true
        public var blockPublicPolicy = true
        public var restrictPublicBuckets = true
        public init() {}
    }

    /// Server-side encryption by default: `AES256` or `aws:kms` with a key.
    public struct Encryption: Sendable, Equatable {
        public var algorithm: String
        public var kmsKeyID: String?
        public var bucketKeyEnabled: Bool?
        public init(algorithm: String = "AES256", kmsKeyID: String? = nil, bucketKeyEnabled: Bool? = nil) {
            self.algorithm = algorithm
            self.kmsKeyID = kmsKeyID
            self.bucketKeyEnabled = bucketKeyEnabled
        }
    }

    // MARK: Buckets

    public func createBucket(_ bucket: String) async throws {
        let region = region ?? client.region
        // us-east-1 is the one region that refuses a location constraint.
        let body =
            region == "us-east-1"
            ? ""
            : "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>\(region)</LocationConstraint></CreateBucketConfiguration>"
        _ = try await send("CreateBucket", "PUT", bucket: bucket, body: Data(body.utf8))
    }

    public func deleteBucket(_ bucket: String) async throws {
        _ = try await send("DeleteBucket", "DELETE", bucket: bucket)
    }

    /// Every bucket of the account (or only those in `inRegion`), page by page.
    public func listBuckets(inRegion: String? = nil) async throws -> [Bucket] {
        var buckets: [Bucket] = []
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = []
            if let inRegion { query.append(("bucket-region", inRegion)) }
            if let token { query.append(("continuation-token", token)) }
            let root = try await xml("ListBuckets", "GET", query: query)
            buckets += root.list("Buckets").map {
                Bucket(name: $0.string("Name") ?? "", creationDate: $0.string("CreationDate") ?? "", region: $0.string("BucketRegion") ?? inRegion)
            }
            token = root.string("ContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
        return buckets
    }

    /// The bucket policy's JSON, or nil when the bucket has none.
    public func getBucketPolicy(_ bucket: String) async throws -> String? {
        do {
            return String(decoding: try await send("GetBucketPolicy", "GET", bucket: bucket, query: [("policy", "")]).body, as: UTF8.self)
        } catch let error as AWSServiceError where error.code == "NoSuchBucketPolicy" {
            return nil
        }
    }

    /// Whether the bucket exists and is reachable with these credentials; a 403 (someone else's) is an error.
    public func bucketExists(_ bucket: String) async throws -> Bool {
        do {
            _ = try await send("HeadBucket", "HEAD", bucket: bucket)
            return true
        } catch let error as AWSServiceError where error.status == 404 {
            return false
        }
    }

    public func putBucketTagging(_ bucket: String, tags: [String: String]) async throws {
        let tagSet = tags.sorted { $0.key < $1.key }.map { "<Tag><Key>\(Self.escape($0.key))</Key><Value>\(Self.escape($0.value))</Value></Tag>" }
            .joined()
        _ = try await send(
            "PutBucketTagging",
            "PUT",
            bucket: bucket,
            query: [("tagging", "")],
            body: Data("<Tagging><TagSet>\(tagSet)</TagSet></Tagging>".utf8),
            md5: true
        )
    }

    /// The bucket's tags; none is an empty dictionary (S3 answers NoSuchTagSet).
    public func getBucketTagging(_ bucket: String) async throws -> [String: String] {
        do {
            return try await xml("GetBucketTagging", "GET", bucket: bucket, query: [("tagging", "")]).tags("TagSet")
        } catch let error as AWSServiceError where error.code == "NoSuchTagSet" {
            return [:]
        }
    }

    public func putBucketVersioning(_ bucket: String, enabled: Bool) async throws {
        let body = "<VersioningConfiguration><Status>\(enabled ? "Enabled" : "Suspended")</Status></VersioningConfiguration>"
        _ = try await send("PutBucketVersioning", "PUT", bucket: bucket, query: [("versioning", "")], body: Data(body.utf8))
    }

    /// `Enabled`, `Suspended`, or nil for a bucket that never had versioning.
    public func getBucketVersioning(_ bucket: String) async throws -> String? {
        try await xml("GetBucketVersioning", "GET", bucket: bucket, query: [("versioning", "")]).string("Status")
    }

    public func putBucketEncryption(_ bucket: String, _ encryption: Encryption) async throws {
        var rule = "<SSEAlgorithm>\(Self.escape(encryption.algorithm))</SSEAlgorithm>"
        if let key = encryption.kmsKeyID { rule += "<KMSMasterKeyID>\(Self.escape(key))</KMSMasterKeyID>" }
        var body = "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>\(rule)</ApplyServerSideEncryptionByDefault>"
        if let bucketKey = encryption.bucketKeyEnabled { body += "<BucketKeyEnabled>\(bucketKey)</BucketKeyEnabled>" }
        body += "</Rule></ServerSideEncryptionConfiguration>"
        _ = try await send("PutBucketEncryption", "PUT", bucket: bucket, query: [("encryption", "")], body: Data(body.utf8), md5: true)
    }

    /// The default encryption, or nil when the bucket has none configured.
    public func getBucketEncryption(_ bucket: String) async throws -> Encryption? {
        do {
            let root = try await xml("GetBucketEncryption", "GET", bucket: bucket, query: [("encryption", "")])
            guard let rule = root["Rule"], let defaults = rule["ApplyServerSideEncryptionByDefault"] else { return nil }
            return Encryption(
                algorithm: defaults.string("SSEAlgorithm") ?? "",
                kmsKeyID: defaults.string("KMSMasterKeyID"),
                bucketKeyEnabled: rule.bool("BucketKeyEnabled")
            )
        } catch let error as AWSServiceError where error.code == "ServerSideEncryptionConfigurationNotFoundError" {
            return nil
        }
    }

    public func putPublicAccessBlock(_ bucket: String, _ block: PublicAccessBlock) async throws {
        let body =
            "<PublicAccessBlockConfiguration><BlockPublicAcls>\(block.blockPublicAcls)</BlockPublicAcls><IgnorePublicAcls>\(block.ignorePublicAcls)</IgnorePublicAcls>"
            + "<BlockPublicPolicy>\(block.blockPublicPolicy)</BlockPublicPolicy><RestrictPublicBuckets>\(block.restrictPublicBuckets)</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
        _ = try await send("PutPublicAccessBlock", "PUT", bucket: bucket, query: [("publicAccessBlock", "")], body: Data(body.utf8), md5: true)
    }

    /// The bucket's public access block, or nil when it has none (the security audit's finding).
    public func getPublicAccessBlock(_ bucket: String) async throws -> PublicAccessBlock? {
        do {
            let root = try await xml("GetPublicAccessBlock", "GET", bucket: bucket, query: [("publicAccessBlock", "")])
            var block = PublicAccessBlock()
            block.blockPublicAcls = root.bool("BlockPublicAcls") ?? false
            block.ignorePublicAcls = root.bool("IgnorePublicAcls") ?? false
            block.blockPublicPolicy = root.bool("BlockPublicPolicy") ?? false
            block.restrictPublicBuckets = root.bool("RestrictPublicBuckets") ?? false
            return block
        } catch let error as AWSServiceError where error.code == "NoSuchPublicAccessBlockConfiguration" {
            return nil
        }
    }

    /// Whether the bucket policy makes the bucket public; false when it has no policy.
    public func getBucketPolicyStatus(_ bucket: String) async throws -> Bool {
        do {
            return try await xml("GetBucketPolicyStatus", "GET", bucket: bucket, query: [("policyStatus", "")]).bool("IsPublic") ?? false
        } catch let error as AWSServiceError where error.code == "NoSuchBucketPolicy" {
            return false
        }
    }

    // MARK: Objects

    public func putObject(
        _ bucket: String,
        key: String,
        body: Data,
        contentType: String? = nil,
        metadata: [String: String] = [:]
    ) async throws -> String? {
        var headers: [(name: String, value: String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-amz-meta-" + name.lowercased(), value)) }
        return try await send("PutObject", "PUT", bucket: bucket, key: key, headers: headers, body: body).headers["etag"]
    }

    public func getObject(_ bucket: String, key: String) async throws -> StoredObject {
        let response = try await send("GetObject", "GET", bucket: bucket, key: key)
        var metadata: [String: String] = [:]
        for (name, value) in response.headers where name.hasPrefix("x-amz-meta-") { metadata[String(name.dropFirst(11))] = value }
        return StoredObject(body: response.body, contentType: response.headers["content-type"], eTag: response.headers["etag"], metadata: metadata)
    }

    /// One page of ListObjectsV2.
    public func listObjects(
        _ bucket: String,
        prefix: String? = nil,
        delimiter: String? = nil,
        maxKeys: Int? = nil,
        continuationToken: String? = nil
    ) async throws -> ObjectList {
        var query: [(name: String, value: String)] = [("list-type", "2")]
        if let prefix { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let root = try await xml("ListObjectsV2", "GET", bucket: bucket, query: query)
        return ObjectList(
            objects: root.all("Contents").map {
                Object(
                    key: $0.string("Key") ?? "",
                    size: $0.int("Size") ?? 0,
                    eTag: $0.string("ETag") ?? "",
                    lastModified: $0.string("LastModified") ?? ""
                )
            },
            commonPrefixes: root.all("CommonPrefixes").compactMap { $0.string("Prefix") },
            nextContinuationToken: root.bool("IsTruncated") == true ? root.string("NextContinuationToken") : nil
        )
    }

    public func deleteObject(_ bucket: String, key: String) async throws {
        _ = try await send("DeleteObject", "DELETE", bucket: bucket, key: key)
    }

    // MARK: Plumbing

    private func send(
        _ operation: String,
        _ method: String,
        bucket: String? = nil,
        key: String? = nil,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: Data = Data(),
        md5: Bool = false
    ) async throws -> AWSHTTPResponse {
        // Keys keep their slashes; every other byte outside the unreserved set is encoded once.
        let path =
            key.map { "/" + $0.split(separator: "/", omittingEmptySubsequences: false).map { SigV4Signer.encode(String($0)) }.joined(separator: "/") }
            ?? "/"
        var headers = headers
        // Some bucket settings still require Content-MD5.
        if md5 { headers.append(("Content-MD5", Data(Insecure.MD5.hash(data: body)).base64EncodedString())) }
        return try await client.send(
            AWSRequest(operation: operation, method: method, path: path, query: query, headers: headers, body: body, bucket: bucket),
            to: .s3,
            region: region
        )
    }

    private func xml(
        _ operation: String,
        _ method: String,
        bucket: String? = nil,
        query: [(name: String, value: String)] = []
    ) async throws -> XMLNode {
        try AWSClient.xml(try await send(operation, method, bucket: bucket, query: query), service: .s3, operation: operation)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
