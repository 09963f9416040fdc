import FuzzSupport
import GafferCore

/// libFuzzer target for `CommandParser` (built and replayed as IssueParserFuzzer is).
func fuzzCommandParser(_ bytes: UnsafeBufferPointer<UInt8>) {
    let body = String(decoding: bytes, as: UTF8.self)
    let lineCount = body.utf8.count + 1
    for item in CommandParser(botLogin: "gaffer[bot]").parse(body, author: "fuzzer") {
        switch item {
        case .command(let command): precondition((1...lineCount).contains(command.line))
        case .suggestion(_, _, let line), .problem(_, _, let line): precondition((1...lineCount).contains(line))
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzCommandParser(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
@_cdecl("CommandParserFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzEntry.runDriver(argc, argv, fuzzerTestOneInput)
}
#else
@main
enum CommandParserReplay {
    static func main() { FuzzEntry.replay(fuzzCommandParser) }
}
#endif
