import Foundation

/// What every fuzz target shares: handing over to libFuzzer's driver in a
/// fuzzing build, and replaying input files (a crash, a corpus) in a normal one.
public enum FuzzEntry {
    public typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>, Int) -> CInt

    #if FUZZING
    @_silgen_name("LLVMFuzzerRunDriver")
    static func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: TestOneInput
    ) -> CInt

    /// SwiftPM links an executable's entry point as `<Target>_main`; each target
    /// defines that and calls this, so libFuzzer parses the command line and runs.
    public static func runDriver(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ testOneInput: TestOneInput) -> CInt {
        var count = argc
        var arguments = argv
        return runFuzzerDriver(&count, &arguments, testOneInput)
    }
    #endif

    /// Runs each file named on the command line through `body`; exits 1 if one cannot be read.
    public static func replay(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var failed = false
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                failed = true
                continue
            }
            data.withUnsafeBytes { raw in body(raw.bindMemory(to: UInt8.self)) }
            print("ok \(path)")
        }
        if failed { exit(1) }
    }
}
