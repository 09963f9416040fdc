import GafferCore

/// libFuzzer target for `IssueParser`: the input is split into title, label and
/// body at the first two NUL bytes. Built with `-DFUZZING` by `scripts/fuzz`;
/// a normal build makes a replayer that runs the files it is given (a crash
/// input, a corpus) through the same code.
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

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzIssueParser(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<Target>_main`; here it hands over to libFuzzer's driver.
@_cdecl("IssueParserFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzerTestOneInput)
}
#else
import Foundation

@main
enum IssueParserReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                continue
            }
            data.withUnsafeBytes { raw in fuzzIssueParser(raw.bindMemory(to: UInt8.self)) }
            print("ok \(path)")
        }
    }
}
#endif
