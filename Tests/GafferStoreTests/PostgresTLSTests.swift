import Foundation
import GafferTestSupport
import Testing

@testable import GafferStore

/// `sslmode` and `sslrootcert` against a server that offers TLS with a certificate for `localhost`
/// from an authority of the test's own: the server itself says whether each connection is encrypted.
@Suite(.serialized) struct PostgresTLSTests {
    /// Whether the server sees the store's connection as TLS, after `migrate()` (which connects outside the pool first).
    static func encrypted(_ url: String) async throws -> Bool {
        let store = try PostgresStore(address: try PostgresAddress(url: url), poolSize: 1)
        defer { store.close() }
        _ = try await store.migrate()
        let rows = try await store.rows("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        return try #require(rows.first).decode(Bool.self, column: 0)
    }

    /// Why the store refused to start on `url`.
    static func refusal(_ url: String) async throws -> String {
        let store = try PostgresStore(address: try PostgresAddress(url: url), poolSize: 1, connectTimeout: .seconds(5))
        defer { store.close() }
        do {
            _ = try await store.migrate()
        } catch {
            return "\(error)"
        }
        Issue.record("the store started on \(url)")
        return ""
    }

    @Test func eachSSLModeEncryptsAndChecksTheCertificateAsLibpqDoes() async throws {
        let server = try await PostgresServer.start(tls: true)
        defer { server.stop() }
        let authority = try #require(server.certificateAuthority)
        let url = { (host: String, options: String) in "postgres://gaffer:\(server.password)@\(host):\(server.port)/postgres?sslmode=\(options)" }

        #expect(try await !Self.encrypted(url("127.0.0.1", "disable")))
        #expect(try await Self.encrypted(url("127.0.0.1", "prefer")))
        #expect(try await Self.encrypted(url("127.0.0.1", "require")))
        // The certificate is for localhost: checking the authority alone accepts it at 127.0.0.1,
        // checking the host name too does not.
        #expect(try await Self.encrypted(url("127.0.0.1", "verify-ca&sslrootcert=\(authority)")))
        #expect(try await Self.encrypted(url("localhost", "verify-full&sslrootcert=\(authority)")))

        let wrongHost = try await Self.refusal(url("127.0.0.1", "verify-full&sslrootcert=\(authority)"))
        #expect(wrongHost.contains("not issued to the host") && wrongHost.contains("sslmode=verify-ca"), "\(wrongHost)")
        // The system's roots do not know the test's authority.
        let unknownAuthority = try await Self.refusal(url("localhost", "verify-full"))
        #expect(
            unknownAuthority.contains("not signed by an authority Gaffer trusts") && unknownAuthority.contains("sslrootcert="),
            "\(unknownAuthority)"
        )
        #expect(!unknownAuthority.contains(server.password))
    }

    @Test func requiringTLSOfAServerWithoutItSaysWhatToChange() async throws {
        let server = try await PostgresServer.start()
        defer { server.stop() }
        let refusal = try await Self.refusal(server.url(scheme: "postgres") + "?sslmode=require")
        #expect(refusal.contains("does not offer TLS") && refusal.contains("sslmode=prefer"), "\(refusal)")
    }
}
