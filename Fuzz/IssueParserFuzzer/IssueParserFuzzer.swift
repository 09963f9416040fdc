import FuzzSupport
import GafferCore

/// libFuzzer target for `IssueParser`: the input is split into title, label and
/// body at the first two NUL bytes. `scripts/fuzz` builds it with `-DFUZZING`;
/// a normal build replays the files it is given (`swift run IssueParserFuzzer FILE`).
func fuzzIssueParser(_ bytes: UnsafeBufferPointer<UInt8>) {
    let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
    let text = parts.map { String(decoding: $0, as: UTF8.self) }
    let title = text.count > 1 ? text[0] : ""
    let labels = text.count > 2 ? [text[1]] : []
    let body = text.last ?? ""
    let result = IssueParser().parse(IssueInput(title: title, body: body, labels: labels, author: "fuzzer", number: 1))
    // The JSON a user would see must always be producible.
    precondition(!result.jsonText().isEmpty)
    if result.task == nil { precondition(!result.problems.isEmpty, "no task and no problem") }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzIssueParser(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
@_cdecl("IssueParserFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzEntry.runDriver(argc, argv, fuzzerTestOneInput)
}
#else
@main
enum IssueParserReplay {
    static func main() { FuzzEntry.replay(fuzzIssueParser) }
}
#endif
