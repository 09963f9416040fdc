import Foundation
import GafferAWS
import GafferCore
import Synchronization

/// moto_server, the local AWS endpoint, on 127.0.0.1 and a free port. With `authenticated`,
/// request signatures are checked: the first three calls (free, by
/// `INITIAL_NO_AUTH_ACTION_COUNT`) create an IAM user with an allow-all policy and its access
/// key, and every later request must be signed with that key. Installs `moto[server]` with
/// pip when it is missing.
public final class MotoServer: Sendable {
    public let port: Int
    /// The IAM user's key (authenticated), or a fixed test key.
    public let credentials: AWSCredentials
    private let server: ServerProcess

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    public static func start(authenticated: Bool = true) async throws -> MotoServer {
        // At most two at a time: each moto loads its service code on first use, a few seconds of
        // CPU, and a dozen at once starve the rest of the suite on a two-core machine.
        await slots.acquire()
        // The free port is chosen before moto binds it, so another server can take it first: try a new one.
        for attempt in 1...3 {
            do {
                return try await launch(authenticated: authenticated)
            } catch  where attempt < 3 && "\(error)".contains("Address already in use") {
                continue
            } catch {
                slots.release()
                throw error
            }
        }
        slots.release()
        throw CommandFailed(command: "moto_server", output: "no free port after three tries")
    }

    static let slots = Slots(2)

    private static func launch(authenticated: Bool) async throws -> MotoServer {
        try await installIfMissing()
        let port = try unusedPort()
        let server = try ServerProcess(
            "/usr/bin/env",
            ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
            environment: authenticated ? ["INITIAL_NO_AUTH_ACTION_COUNT": "3"] : [:]
        )
        do {
            try await server.waitForPort(port, what: "moto_server")
            let placeholder = AWSCredentials(accessKeyID: "AKIAFREECALLS0000000", secretAccessKey: Secret("free"))
            guard authenticated else { return MotoServer(port: port, credentials: placeholder, server: server) }
            let iam = try client(port: port, credentials: placeholder)
            _ = try await iam.query(.iam, "CreateUser", [("UserName", "gaffer")])
            let policy = #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
            _ = try await iam.query(.iam, "PutUserPolicy", [("UserName", "gaffer"), ("PolicyName", "everything"), ("PolicyDocument", policy)])
            let key = try await iam.query(.iam, "CreateAccessKey", [("UserName", "gaffer")])
            guard let id = key.at("AccessKey", "AccessKeyId")?.text, let secret = key.at("AccessKey", "SecretAccessKey")?.text else {
                throw CommandFailed(command: "moto CreateAccessKey", output: "no key in the answer")
            }
            return MotoServer(port: port, credentials: AWSCredentials(accessKeyID: id, secretAccessKey: Secret(secret)), server: server)
        } catch {
            server.stop()
            throw error
        }
    }

    private init(port: Int, credentials: AWSCredentials, server: ServerProcess) {
        self.port = port
        self.credentials = credentials
        self.server = server
    }

    /// A client for this server with its key (or the given credentials), retrying nothing unless asked.
    public func client(credentials: AWSCredentials? = nil, region: String = "us-east-1", maxAttempts: Int = 1) throws -> AWSClient {
        try Self.client(port: port, credentials: credentials ?? self.credentials, region: region, maxAttempts: maxAttempts)
    }

    static func client(port: Int, credentials: AWSCredentials, region: String = "us-east-1", maxAttempts: Int = 1) throws -> AWSClient {
        var settings = AWSSettings()
        settings.region = region
        settings.endpointURL = "http://127.0.0.1:\(port)"
        settings.credentials = credentials
        settings.maxAttempts = maxAttempts
        // No shared files or variables of the machine running the tests.
        return try AWSClient.standard(settings, environment: AWSEnvironment(variables: [:], home: "/nonexistent"))
    }

    public var log: String { server.output }

    public func stop() {
        server.stop()
        Self.slots.release()
    }

    private static func installIfMissing() async throws {
        if (try? await runCommand("/usr/bin/env", ["python3", "-c", "import moto.server, flask"])) != nil { return }
        _ = try await runCommand("/usr/bin/env", ["python3", "-m", "pip", "install", "--quiet", "moto[server]"])
    }
}

/// A counting semaphore for async callers; `release` may be called from synchronous code.
final class Slots: Sendable {
    private let state: Mutex<(free: Int, waiting: [CheckedContinuation<Void, Never>])>

    init(_ count: Int) {
        state = Mutex((count, []))
    }

    func acquire() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
