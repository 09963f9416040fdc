import GafferCore

/// libFuzzer target for `CommandParser` (see IssueParserFuzzer for how it is built and replayed).
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

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzCommandParser(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point as `<Target>_main`; here it hands over to libFuzzer's driver.
@_cdecl("CommandParserFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzerTestOneInput)
}
#else
import Foundation

@main
enum CommandParserReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                continue
            }
            data.withUnsafeBytes { raw in fuzzCommandParser(raw.bindMemory(to: UInt8.self)) }
            print("ok \(path)")
        }
    }
}
#endif
