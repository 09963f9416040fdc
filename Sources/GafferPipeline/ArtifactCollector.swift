import Foundation
import ZIPFoundation

/// One artifact set as collected: its files copied into a folder, and a zip of them.
public struct CollectedArtifacts: Sendable, Equatable {
    /// `primary`, or the secondary artifact's identifier.
    public let identifier: String
    /// Paths as stored (flattened with discard-paths), sorted.
    public let files: [String]
    public let directory: String
    public let zip: String
}

/// Copies what an artifact set names out of the source, as CodeBuild uploads it.
enum ArtifactCollector {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func collect(_ set: ArtifactSet, identifier: String, source: String, into destination: String) throws -> CollectedArtifacts {
        guard ContainedPath.isName(identifier) else {
            throw Failure(description: "the artifact identifier \(identifier) is not a name (letters, digits, _ and -)")
        }
        let base = try ContainedPath.resolve(set.baseDirectory ?? "", under: source, what: "base-directory")
        let included = set.files.map(PathGlob.init)
        let excluded = set.excludePaths.map(PathGlob.init)
        let matched = try files(under: base).filter { path in
            included.contains { $0.matches(path) } && !excluded.contains { $0.matches(path) }
        }
        // A folder on the way may be a link out of the source, whatever the loader saw.
        for path in matched { _ = try ContainedPath.resolve(path, under: base, what: "the artifact file") }
        let folder = destination + "/" + identifier
        let files = FileManager.default
        try? files.removeItem(atPath: folder)
        try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var stored: [String] = []
        for path in matched {
            let name = set.discardPaths ? (path as NSString).lastPathComponent : path
            let target = folder + "/" + name
            try files.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try? files.removeItem(atPath: target)  // with discard-paths, a later file of the same name wins
            try files.copyItem(atPath: base + "/" + path, toPath: target)
            stored.append(name)
        }
        let zip = destination + "/" + identifier + ".zip"
        try? files.removeItem(atPath: zip)
        try files.zipItem(at: URL(fileURLWithPath: folder), to: URL(fileURLWithPath: zip), shouldKeepParent: false)
        return CollectedArtifacts(identifier: identifier, files: Array(Set(stored)).sorted(), directory: folder, zip: zip)
    }

    /// Every regular file under `root`, as paths relative to it.
    static func files(under root: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(description: "the base directory \(root) does not exist")
        }
        var found: [String] = []
        let walker = FileManager.default.enumerator(atPath: root)
        while let path = walker?.nextObject() as? String {
            if walker?.fileAttributes?[.type] as? FileAttributeType == .typeRegular { found.append(path) }
        }
        return found.sorted()
    }
}
