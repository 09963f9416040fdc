import FuzzSupport
import GafferPipeline

/// libFuzzer target for `BuildspecLoader`: a buildspec is code from strangers. Whatever the bytes,
/// it loads or lists problems with places in the file; what loads keeps every path inside the source.
func fuzzBuildspecLoader(_ bytes: UnsafeBufferPointer<UInt8>) {
    let text = String(decoding: bytes, as: UTF8.self)
    // YAML breaks lines at \n, \r\n and a lone \r (Swift reads "\r\n" as one Character).
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).count
    do {
        let buildspec = try BuildspecLoader.parse(text)
        for set in [buildspec.artifacts].compactMap({ $0 }) + Array(buildspec.secondaryArtifacts.values) {
            precondition(!(set.baseDirectory ?? "").hasPrefix("/"), "an absolute base-directory loaded")
            precondition(!(set.baseDirectory ?? "").split(separator: "/").contains(".."), "a base-directory with .. loaded")
        }
        for identifier in buildspec.secondaryArtifacts.keys {
            precondition(!identifier.contains("/") && identifier != "..", "an artifact identifier that is a path loaded")
        }
    } catch {
        precondition(!error.problems.isEmpty, "refused without a problem")
        for problem in error.problems {
            precondition(problem.line >= 1 && problem.line <= lines + 1 && problem.column >= 1, "a problem outside the file: \(problem)")
            precondition(!problem.message.isEmpty)
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    fuzzBuildspecLoader(UnsafeBufferPointer(start: data, count: size))
    return 0
}

#if FUZZING
@_cdecl("BuildspecLoaderFuzzer_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzEntry.runDriver(argc, argv, fuzzerTestOneInput)
}
#else
@main
enum BuildspecLoaderReplay {
    static func main() { FuzzEntry.replay(fuzzBuildspecLoader) }
}
#endif
