import Foundation
import GafferCore
import GafferProcess

/// A build's output: cut into lines, masked, written to the log file and handed to live subscribers.
///
/// Thread-safe: the shell's reader thread appends output while the runner
/// writes its own `[Container]` lines.
public final class BuildLog: @unchecked Sendable {
    // @unchecked: every mutable property is only touched with `lock` held.
    private let lock = NSLock()
    private var masker: SecretMasker
    private var capture: [UInt8]?
    private let file: Int32
    private var pending: [UInt8] = []
    private var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
    /// The longest partial line kept back before its head is written anyway.
    private let maxLine = 64 * 1024
    public let path: String

    public init(path: String, secrets: [String] = []) throws {
        self.path = path
        masker = SecretMasker(secrets)
        file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            throw ChildProcess.SpawnError(description: "cannot create the build log \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        Glibc.close(file)
    }

    /// Adds values to mask from now on (the build's resolved parameters and secrets).
    func mask(_ values: [String]) {
        lock.withLock { masker = SecretMasker(masker.values + values) }
    }

    /// `text` with every secret the log masks replaced, for what is shown or stored outside the log.
    public func masked(_ text: String) -> String {
        let masker = lock.withLock { self.masker }
        return String(decoding: masker.mask(Array(text.utf8)), as: UTF8.self)
    }

    /// Keeps the output from now on (its last 64 KB), for `capturedText`.
    func startCapture() {
        lock.withLock { capture = [] }
    }

    /// The output since `startCapture`, masked.
    func capturedText() -> String {
        lock.withLock { String(decoding: capture ?? [], as: UTF8.self) }
    }

    /// Every line written from now on, masked, until the log is closed.
    public func subscribe() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = UUID()
        lock.withLock { subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.lock.withLock { self?.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Output from the build; only complete lines go out, the rest waits for more.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        lock.withLock {
            pending.append(contentsOf: bytes)
            guard let lastNewline = pending.lastIndex(of: 10) else {
                if pending.count > maxLine {
                    // A very long line: write its head, keeping back a secret that has not all arrived
                    // yet and any that would be cut in two.
                    let cut = masker.safeCut(pending, before: pending.count - max(masker.longest - 1, 0))
                    emit(Array(pending[..<cut]))
                    pending.removeFirst(cut)
                }
                return
            }
            emit(Array(pending[...lastNewline]))
            pending.removeFirst(lastNewline + 1)
        }
    }

    /// Writes what is left of an unfinished line, as its own line (at the end of a command).
    func flush() {
        lock.withLock {
            guard !pending.isEmpty else { return }
            pending.append(10)
            emit(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// A line of the runner's own, in CodeBuild's `[Container]` style.
    func note(_ text: String, at date: Date = Date()) {
        flush()
        let stamp = Self.stamp(date)
        lock.withLock { emit(Array("[Container] \(stamp) \(text)\n".utf8)) }
    }

    /// Writes what is left and ends every subscription.
    func finish() {
        flush()
        // Finished outside the lock: finishing runs onTermination, which takes the lock.
        let ended = lock.withLock { () -> [AsyncStream<String>.Continuation] in
            defer { subscribers.removeAll() }
            return Array(subscribers.values)
        }
        ended.forEach { $0.finish() }
    }

    /// With the lock held.
    private func emit(_ bytes: [UInt8]) {
        let masked = masker.mask(bytes)
        if capture != nil {
            capture?.append(contentsOf: masked)
            if let count = capture?.count, count > maxLine { capture?.removeFirst(count - maxLine) }
        }
        masked.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(file, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }
                offset += written
            }
        }
        guard !subscribers.isEmpty else { return }
        for line in masked.split(separator: 10, omittingEmptySubsequences: false).dropLast() {
            let text = String(decoding: line, as: UTF8.self)
            subscribers.values.forEach { $0.yield(text) }
        }
    }

    /// `yyyy/MM/dd HH:mm:ss` in UTC, built by hand: `String(format:)` costs more than a command.
    private static func stamp(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return
            "\(parts.tm_year + 1900)/\(two(parts.tm_mon + 1))/\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
