import Foundation

/// One holder per repository at a time, across tasks and across processes.
///
/// Waiting is asynchronous: a job queued behind another holds no thread. A
/// `flock` on a file per repository extends the lock to other Gaffer processes
/// sharing the cache directory (several workers, or `gaffer git push-files`
/// next to a server); the kernel drops it if a process dies.
actor RepositoryLocks {
    private let directory: String
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    init(directory: String) {
        self.directory = directory
    }

    /// Waits for `key`, then returns the open lock file (close it to let other processes in).
    func acquire(_ key: String) async throws -> Int32 {
        if held.contains(key) {
            await withCheckedContinuation { waiting[key, default: []].append($0) }
        } else {
            held.insert(key)
        }
        do {
            return try await lockFile(key)
        } catch {
            release(key, file: -1)
            throw error
        }
    }

    /// Takes `key` only if nobody holds it, in this process or another.
    func tryAcquire(_ key: String) throws -> Int32? {
        guard !held.contains(key) else { return nil }
        let file = try openLockFile(key)
        guard flock(file, LOCK_EX | LOCK_NB) == 0 else {
            close(file)
            return nil
        }
        held.insert(key)
        return file
    }

    func release(_ key: String, file: Int32) {
        if file >= 0 {
            close(file)
        }
        if var queue = waiting[key], !queue.isEmpty {
            let next = queue.removeFirst()
            waiting[key] = queue.isEmpty ? nil : queue
            next.resume()
        } else {
            held.remove(key)
        }
    }

    private func openLockFile(_ key: String) throws -> Int32 {
        let path = directory + "/" + key + ".lock"
        let file = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard file >= 0 else {
            throw GitError.libgit2(operation: "lock \(key)", code: -1, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        return file
    }

    private func lockFile(_ key: String) async throws -> Int32 {
        let file = try openLockFile(key)
        // Another process holds it: poll, with a short pause, rather than block a thread in flock.
        while flock(file, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(file)
                throw GitError.libgit2(operation: "lock \(key)", code: -1, message: String(cString: strerror(errno)))
            }
            do {
                try await Task.sleep(for: .milliseconds(20))
            } catch {
                close(file)
                throw error
            }
        }
        return file
    }
}
