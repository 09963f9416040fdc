import Foundation

/// The one way Gaffer runs a program to its end (the sandbox's git, tools, the tests): through
/// `ChildProcess`, so the child gets a clean signal mask, exactly the environment given, and no
/// descriptor but the ones handed to it.
public enum Program {
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: Data
        public let errors: Data

        public var outputText: String { String(decoding: output, as: UTF8.self) }
        public var errorText: String { String(decoding: errors, as: UTF8.self) }
    }

    /// Runs `arguments` (the first looked up in the environment's PATH) and waits for it. It blocks
    /// its thread: call it from a thread of its own or through `runDetached`.
    public static func run(
        _ arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil,
        input: Data? = nil
    ) throws -> Outcome {
        let stdin = try ChildProcess.pipe()
        let stdout = try ChildProcess.pipe()
        let stderr = try ChildProcess.pipe()
        let pid: pid_t
        do {
            pid = try ChildProcess.spawn(
                arguments,
                environment: environment,
                directory: directory,
                descriptors: [0: stdin.read, 1: stdout.write, 2: stderr.write],
                ownProcessGroup: false
            )
        } catch {
            [stdin.read, stdin.write, stdout.read, stdout.write, stderr.read, stderr.write].forEach { close($0) }
            throw error
        }
        [stdin.read, stdout.write, stderr.write].forEach { close($0) }
        // Input is written, and standard error read, beside the reading of standard output, so a
        // child that fills one pipe while waiting on another cannot stall.
        let writer = Thread {
            if let input { input.withUnsafeBytes { bytes in _ = writeAll(stdin.write, bytes) } }
            close(stdin.write)
        }
        writer.start()
        let errors = Locked()
        let reader = Thread { errors.set(readAll(stderr.read)) }
        reader.start()
        let output = readAll(stdout.read)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let errorBytes = errors.wait()
        close(stdout.read)
        close(stderr.read)
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Outcome(status: exit, output: output, errors: errorBytes)
    }

    /// `run` on a thread of its own, so a caller on Swift's concurrency pool does not hold one of its threads.
    public static func runDetached(
        _ arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil,
        input: Data? = nil
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try run(arguments, environment: environment, directory: directory, input: input) })
            }
        }
    }

    private static func readAll(_ descriptor: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return data }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Standard error's bytes, handed from the reading thread to the caller.
    private final class Locked: @unchecked Sendable {
        // @unchecked: `value` is only touched with `condition` locked.
        private let condition = NSCondition()
        private var value: Data?

        func set(_ data: Data) {
            condition.lock()
            value = data
            condition.signal()
            condition.unlock()
        }

        func wait() -> Data {
            condition.lock()
            defer { condition.unlock() }
            while value == nil { condition.wait() }
            return value ?? Data()
        }
    }
}
