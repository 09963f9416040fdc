import Foundation

/// What a client may ask AWS to do. Report agents get `readOnly` clients: a write is refused in
/// this process, before it is signed, whatever the credentials would allow.
public enum AWSAccess: Sendable, Hashable {
    case readWrite
    case readOnly

    /// Reads that do not start with a read verb. Drift detection only compares, and AWS's own
    /// ReadOnlyAccess policy grants it.
    static let readOperations: Set<String> = ["DetectStackDrift", "DetectStackResourceDrift"]
    static let readPrefixes = ["Describe", "List", "Get", "Head", "Lookup", "BatchGet"]

    static func isRead(_ operation: String) -> Bool {
        readOperations.contains(operation) || readPrefixes.contains { operation.hasPrefix($0) }
    }

    /// Why a read-only client may not send `request`, or nil when it may. The operation is read
    /// from what goes on the wire (the form's `Action`, the `X-Amz-Target` header, the HTTP method),
    /// not from the label the caller gave it.
    static func refusal(_ request: AWSRequest, to service: AWSService) -> String? {
        let operation: String
        switch service.wireProtocol {
        case .query, .ec2:
            let form = String(decoding: request.body, as: UTF8.self)
            let action = form.split(separator: "&").first { $0.hasPrefix("Action=") }?.dropFirst("Action=".count)
            operation = action.map(String.init) ?? request.operation
        case .json:
            let target = request.headers.first { $0.name.lowercased() == "x-amz-target" }?.value
            operation = target.flatMap { $0.split(separator: ".").last.map(String.init) } ?? request.operation
        case .restXML, .restJSON:
            guard ["GET", "HEAD"].contains(request.method.uppercased()) else {
                return "\(service.id) \(request.operation) is a \(request.method) request, and this client may only read"
            }
            operation = request.operation
        }
        guard isRead(operation) else {
            return "\(service.id) \(operation) is not a read operation, and this client may only read (reports never change AWS)"
        }
        return nil
    }
}
