import Foundation

/// AWS refused a request: its error code, message and request id, read from XML or JSON.
public struct AWSServiceError: Error, CustomStringConvertible, Sendable {
    public let code: String
    public let message: String
    public let requestID: String?
    public let status: Int
    /// "S3 PutObject": what was asked, for the message.
    public var operation: String = ""

    public init(code: String, message: String, requestID: String?, status: Int) {
        self.code = code
        self.message = message
        self.requestID = requestID
        self.status = status
    }

    public var description: String {
        let subject = operation.isEmpty ? "AWS" : operation
        return "\(subject) failed: \(code) (HTTP \(status)): \(message.isEmpty ? "no message" : message)"
            + (requestID.map { " [request id \($0)]" } ?? "")
    }

    /// Reads an error answer in any of AWS's shapes: a JSON `__type`/`code` and `message`,
    /// `x-amzn-ErrorType`, query's `<ErrorResponse><Error>`, EC2's `<Response><Errors><Error>`,
    /// S3's `<Error>`; a body-less answer (HEAD) is named after its status.
    public static func parse(_ response: AWSHTTPResponse) -> AWSServiceError {
        let requestID = response.headers["x-amzn-requestid"] ?? response.headers["x-amz-request-id"]
        var code = response.headers["x-amzn-errortype"].map { String($0.split(separator: ":").first ?? "") }
        var message: String?
        var bodyRequestID: String?
        let trimmed = response.body.drop { $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }
        if trimmed.first == UInt8(ascii: "{"), let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] {
            let type = (object["__type"] ?? object["code"] ?? object["Code"] ?? object["Type"]) as? String
            if code == nil || code == "" { code = type }
            message = (object["message"] ?? object["Message"] ?? object["errorMessage"]) as? String
        } else if trimmed.first == UInt8(ascii: "<"), let root = try? XMLNode.parse(response.body) {
            let error = root.name == "Error" ? root : root.at("Error") ?? root.at("Errors", "Error") ?? root
            code = error.string("Code") ?? code
            message = error.string("Message")
            bodyRequestID = error.string("RequestId") ?? root.string("RequestId") ?? root.string("RequestID")
        }
        let name = (code ?? "").split(separator: "#").last.map(String.init) ?? ""
        return AWSServiceError(
            code: name.isEmpty ? statusName(response.status) : name,
            message: message ?? "",
            requestID: requestID ?? bodyRequestID,
            status: response.status
        )
    }

    private static func statusName(_ status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 400: "BadRequest"
        case 403: "Forbidden"
        case 404: "NotFound"
        case 409: "Conflict"
        case 429: "TooManyRequests"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }

    /// Codes the SDKs retry as throttling.
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
        "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]

    /// Codes that may mean the request's clock is off.
    static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
    ]

    public var isThrottling: Bool { Self.throttlingCodes.contains(code) || status == 429 }
    /// Worth trying again: throttled, or the service failed (5xx) rather than the request.
    public var isRetryable: Bool { isThrottling || [500, 502, 503, 504].contains(status) || code == "RequestTimeout" || code == "InternalError" }
}

/// The client could not make or finish a request: missing credentials, a bad endpoint,
/// an answer it cannot read, or a network failure after the last retry.
public struct AWSClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
