import CLibGit2

/// The process-wide libgit2 set-up and the one way its errors are read.
enum LibGit2 {
    // libgit2 must be initialized once before any other call; a static let runs exactly once.
    private static let initialization: Int32 = git_libgit2_init()

    static func initialize() {
        _ = initialization
    }

    /// Throws when `code` is a libgit2 failure, with the message of the calling
    /// thread's last error. libgit2 keeps that message per thread, so this must
    /// run on the thread that made the call, before anything else (an `await`
    /// above all) can move the work elsewhere.
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LibGit2Failure) {
        guard code < 0 else { return }
        throw LibGit2Failure(code: code, operation: operation())
    }
}

/// A libgit2 call that failed: what Gaffer was doing, libgit2's code and its message.
struct LibGit2Failure: Error {
    let code: Int32
    let operation: String
    let message: String

    init(code: Int32, operation: String, message: String) {
        self.code = code
        self.operation = operation
        self.message = message
    }

    init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        if let last = git_error_last(), let text = last.pointee.message {
            message = String(cString: text)
        } else {
            message = "libgit2 error \(code)"
        }
    }

    var gitError: GitError {
        .libgit2(operation: operation, code: code, message: message)
    }
}
