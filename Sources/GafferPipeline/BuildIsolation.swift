import Foundation
import GafferCore
import GafferProcess

/// How far a build is kept from the machine it runs on.
///
/// Always: the build's environment is built from nothing (PATH, HOME, LANG, then the build's own
/// variables), so none of Gaffer's settings or secrets reach it, and its processes are a group of
/// their own that a timeout or a cancel ends together.
///
/// `user`: the shell runs as that user (through util-linux's `setpriv`; Gaffer must run as root).
///
/// `bubblewrap`: the shell runs inside Debian's `bwrap`, with its own mount, PID, IPC and UTS
/// namespaces: it sees the workspace (read-write), the system's programs and libraries in /usr
/// and the few files of /etc a build needs (certificates, DNS, users; not /etc/shadow), all
/// read-only, and an empty /tmp. It cannot read or write anything else: Gaffer's data and
/// configuration, other jobs' workspaces, keys in home directories. It cannot see or signal
/// other processes, and everything in it ends with it. It does not limit the network (a build
/// can reach what the machine can, the cloud's metadata endpoint and Gaffer's own port
/// included), CPU, memory or disk, and it shares the kernel with Gaffer.
public struct BuildIsolation: Sendable, Equatable {
    public var user: String?
    public var bubblewrap = false
    public var bubblewrapPath = "/usr/bin/bwrap"

    public init(user: String? = nil, bubblewrap: Bool = false) {
        self.user = user
        self.bubblewrap = bubblewrap
    }

    /// Why a buildspec's `run-as` cannot be honoured, or nil when it names the build's own user.
    /// The operator's user is the ceiling: CodeBuild runs `run-as` inside its own container, but
    /// here the build shares the host, so a buildspec naming another user (root) would raise its rights.
    func refusal(ofRunAs runAs: String) -> String? {
        let buildUser = user ?? getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) }
        guard runAs != buildUser else { return nil }
        return "run-as \(runAs) is refused: builds here run as \(buildUser.map { "the user \($0)" } ?? "Gaffer's own user"), "
            + "set by the operator (pipeline_user, or --user), and a buildspec may not choose another; remove run-as or set it to \(buildUser ?? "that user")"
    }

    /// The /etc files a build may read inside the sandbox.
    static let etcFiles = [
        "/etc/alternatives", "/etc/ssl", "/etc/ca-certificates", "/etc/resolv.conf", "/etc/hosts",
        "/etc/nsswitch.conf", "/etc/passwd", "/etc/group", "/etc/localtime",
    ]

    /// What goes before the shell's own arguments to start it isolated.
    func launcher(sourceDirectory: String) throws -> [String] {
        var prefix: [String] = []
        if let user {
            guard let entry = getpwnam(user) else {
                throw ChildProcess.SpawnError(description: "no user named \(user) on this machine (pipeline run-as user)")
            }
            prefix += ["setpriv", "--reuid=\(entry.pointee.pw_uid)", "--regid=\(entry.pointee.pw_gid)", "--init-groups"]
        }
        if bubblewrap {
            guard FileManager.default.isExecutableFile(atPath: bubblewrapPath) else {
                throw ChildProcess.SpawnError(description: "\(bubblewrapPath) is not installed; install Debian's bubblewrap or turn the sandbox off")
            }
            prefix += [
                bubblewrapPath, "--unshare-all", "--share-net", "--die-with-parent",
                "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
                "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            ]
            for path in Self.etcFiles where FileManager.default.fileExists(atPath: path) {
                prefix += ["--ro-bind", path, path]
            }
            prefix += ["--bind", sourceDirectory, sourceDirectory, "--chdir", sourceDirectory, "--"]
        }
        return prefix
    }
}
