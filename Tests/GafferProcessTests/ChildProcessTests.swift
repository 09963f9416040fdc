import Foundation
import GafferProcess
import Synchronization
import Testing

struct ChildProcessTests {
    /// The inode of a descriptor, as `/proc/<pid>/fd` shows it (`pipe:[inode]`).
    static func inode(_ descriptor: Int32) -> UInt64 {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    @Test("16: a pipe is close-on-exec from birth, so a child another thread spawns at that moment never holds it")
    func pipesAreNeverInherited() throws {
        let made = Mutex<Set<UInt64>>([])
        let stop = Atomic<Bool>(false)
        let maker = Thread {
            while !stop.load(ordering: .relaxed) {
                guard let pipe = try? ChildProcess.pipe() else { continue }
                let node = Self.inode(pipe.read)
                made.withLock { _ = $0.insert(node) }
                close(pipe.read)
                close(pipe.write)
            }
        }
        maker.start()
        defer { stop.store(true, ordering: .relaxed) }
        var leaked: [String] = []
        for _ in 0..<300 {
            let output = try ChildProcess.pipe()
            let pid = try ChildProcess.spawn(
                ["/bin/sh", "-c", "ls -l /proc/$$/fd"],
                environment: ["PATH": "/usr/bin:/bin"],
                descriptors: [1: output.write]
            )
            close(output.write)
            let own = Self.inode(output.read)
            let text = String(decoding: FileHandle(fileDescriptor: output.read, closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            let pipes = text.split(separator: "\n").compactMap { line -> UInt64? in
                guard let range = line.range(of: "pipe:[") else { return nil }
                return UInt64(line[range.upperBound...].prefix { $0.isNumber })
            }
            leaked += pipes.filter { node in node != own && made.withLock { $0.contains(node) } }.map { "pipe \($0)" }
        }
        #expect(made.withLock { $0.count } > 100, "the maker ran alongside the spawns")
        #expect(leaked.isEmpty, "\(leaked.count) children held another thread's pipe")
    }
}
