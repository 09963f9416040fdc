import Foundation
import GafferCore
import GafferGit
import GafferTestSupport
import Testing

@Suite("Pushing over SSH to OpenSSH's server")
struct SSHRemoteTests {
    static func remote(_ server: SSHGitServer, _ bare: BareRemote, key: String, hostKeys: [String]) throws -> GitRemote {
        try GitRemote(
            url: server.url(bare.path),
            credentials: .sshKey(
                privateKeyPath: key,
                publicKeyPath: key + ".pub",
                passphrase: nil,
                hostKeys: hostKeys
            )
        )
    }

    @Test("a key the server knows, to a server whose host key is trusted: pushed")
    func pushOverSSH() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("ops")
        let server = try await SSHGitServer.start()
        defer { server.stop() }
        let remote = try Self.remote(server, bare, key: server.clientKey, hostKeys: ["SHA256:someOtherServerKey", server.hostKeyFingerprint])
        let (commit, push) = try await fixture.publish(.sample(["deploy.yml": "steps: []\n"]), to: remote)
        #expect(push?.changed == true)
        #expect(try await bare.tip(of: "gaffer/issue-12") == commit.commit?.hex)
    }

    @Test("a server showing a host key nobody trusted is refused, naming the key it showed, and nothing is pushed")
    func untrustedHostKey() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("ops")
        let server = try await SSHGitServer.start()
        defer { server.stop() }
        let remote = try Self.remote(server, bare, key: server.clientKey, hostKeys: ["SHA256:notTheServersKeyAtAll0123456789abcdefghijk"])
        let error = await #expect(throws: GitError.self) {
            _ = try await fixture.publish(.sample(["a.txt": "a\n"]), to: remote)
        }
        #expect(error == .untrustedHostKey(remote: server.url(bare.path), fingerprint: server.hostKeyFingerprint))
        #expect(error?.description.contains("add that fingerprint") == true)
        #expect(try await bare.tip(of: "gaffer/issue-12") == nil)
    }

    @Test("a key the server does not know: authentication failed")
    func unknownKey() async throws {
        let fixture = try GitFixture()
        defer { fixture.remove() }
        let bare = try await fixture.seededRemote("ops")
        let server = try await SSHGitServer.start()
        defer { server.stop() }
        let stranger = try await server.strangerKey()
        let remote = try Self.remote(server, bare, key: stranger, hostKeys: [server.hostKeyFingerprint])
        let error = await #expect(throws: GitError.self) {
            _ = try await fixture.publish(.sample(["a.txt": "a\n"]), to: remote)
        }
        #expect(error == .authenticationFailed(remote: server.url(bare.path), hadCredentials: true))
    }
}
