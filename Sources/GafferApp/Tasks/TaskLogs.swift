import Foundation
import GafferCore

/// The logs of a task's pipeline runs, kept for its dashboard page under `<data_dir>/logs/<owner>/<repo>/<issue>/`:
/// the newest `keep` of them, each its last `maxBytes`, masked as the pipeline masks them and redacted again here.
public struct TaskLogs: Sendable {
    public let root: URL
    public var keep = 10
    public var maxBytes = 256 << 10
    public var redactor = Redactor.standard

    public init(root: URL) {
        self.root = root
    }

    private func folder(_ repository: String, _ issue: Int) -> URL? {
        let parts = repository.lowercased().split(separator: "/").map(String.init)
        // Names come from GitHub, but a path is built from them: nothing that climbs out.
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        return root.appendingPathComponent(parts[0]).appendingPathComponent(parts[1]).appendingPathComponent(String(issue))
    }

    /// Keeps `file` as `name` for the task, dropping the oldest beyond `keep`.
    public func save(_ file: URL, as name: String, repository: String, issue: Int) throws {
        guard let folder = folder(repository, issue), let data = FileManager.default.contents(atPath: file.path) else { return }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = redactor.redact(String(decoding: data.suffix(maxBytes), as: UTF8.self))
        let safe = name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "-" }
        try Data(text.utf8).write(to: folder.appendingPathComponent(String(safe) + ".log"), options: .atomic)
        for old in list(folder).dropFirst(keep) { try? FileManager.default.removeItem(at: old.url) }
    }

    private func list(_ folder: URL) -> [(url: URL, at: Date)] {
        let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.contentModificationDateKey])) ?? []
        return files.filter { $0.pathExtension == "log" }
            .map { ($0, (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast) }
            .sorted { $0.at > $1.at }
    }

    /// The task's logs, newest first: their names and text.
    public func logs(repository: String, issue: Int) -> [(name: String, text: String)] {
        guard let folder = folder(repository, issue) else { return [] }
        return list(folder).map { ($0.url.deletingPathExtension().lastPathComponent, (try? String(contentsOf: $0.url, encoding: .utf8)) ?? "") }
    }
}
