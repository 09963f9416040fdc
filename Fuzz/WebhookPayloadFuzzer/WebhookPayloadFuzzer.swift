import Foundation
import FuzzSupport
import GafferGitHub

/// libFuzzer target for what reads a webhook body: the ingress's scan and the worker's decoding.
/// Whatever the bytes, neither crashes, and the scan accepts only what Foundation's parser accepts.
func fuzzWebhookPayload(_ bytes: UnsafeBufferPointer<UInt8>) {
    let data = Data(buffer: bytes)
    let scanned = (try? WebhookPayload.action(in: data)) != nil
    if scanned, String(data: data, encoding: .utf8) != nil {
        precondition((try? JSONSerialization.jsonObject(with: data)) is [String: Any], "the scan accepted what is not a JSON object")
    }
    for event in ["issues", "issue_comment", "pull_request", "ping", "installation", "check_run", "push"] {
        _ = try? WebhookEvent.decode(name: event, body: data)
    }
    _ = try? WebhookPayload.jsonFromForm(data)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzWebhookPayload(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
@_cdecl("WebhookPayloadFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzEntry.runDriver(argc, argv, fuzzerTestOneInput)
}
#else
@main
enum WebhookPayloadReplay {
    static func main() { FuzzEntry.replay(fuzzWebhookPayload) }
}
#endif
