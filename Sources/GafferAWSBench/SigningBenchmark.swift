import Foundation
import GafferAWS
import GafferCore

/// `gaffer-aws-bench`: SigV4 signatures per second on one core for a typical 1 KB JSON request
/// (a DynamoDB-style POST with its headers), signed in headers, body hash included.
@main
struct SigningBenchmark {
    static func main() {
        let body = Data(("{\"TableName\":\"orders\",\"Key\":{\"id\":{\"S\":\"" + String(repeating: "x", count: 950) + "\"}}}").utf8)
        let request = HTTPRequestParts(
            method: "POST",
            path: "/",
            headers: [
                ("Host", "dynamodb.eu-west-1.amazonaws.com"), ("Content-Type", "application/x-amz-json-1.0"),
                ("X-Amz-Target", "DynamoDB_20120810.GetItem"), ("Content-Length", String(body.count)),
            ],
            body: body
        )
        let signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: "AKIDEXAMPLE",
                secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                sessionToken: Secret(String(repeating: "t", count: 300))
            ),
            region: "eu-west-1",
            service: "dynamodb"
        )
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        var rounds: [Double] = []
        var check = 0
        // `gaffer-aws-bench ROUNDS COUNT`: fewer for a profiler's run.
        let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
        for _ in 0..<(arguments.first ?? 7) {
            let count = arguments.dropFirst().first ?? 50_000
            let start = ContinuousClock.now
            for _ in 0..<count {
                check &+= signer.sign(request, at: date).signature.utf8.count
            }
            let elapsed = start.duration(to: .now)
            rounds.append(Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        }
        let median = rounds.sorted()[rounds.count / 2]
        let json: [String: Any] = [
            "benchmark": "sigv4", "body_bytes": body.count, "rounds": rounds.count, "signatures_per_s": Int(median),
            "microseconds_per_signature": (1e6 / median * 100).rounded() / 100, "checksum": check,
        ]
        if let data = try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]) {
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
