import Foundation
import Hummingbird

/// The sandbox's own API, under `/_sandbox/`, for setting up what GitHub's API
/// cannot: users and their tokens, repositories, collaborators, the app and its
/// installations, and faults. Open to anyone who can reach it: bind the
/// sandbox to 127.0.0.1.
///
/// - `POST /_sandbox/users` `{"login", "token"}`
/// - `POST /_sandbox/repos` `{"owner", "name"}`
/// - `PUT /_sandbox/repos/{owner}/{repo}/collaborators/{login}` `{"permission"}`
/// - `POST /_sandbox/app` `{"id", "slug", "public_key_pem"}`
/// - `POST /_sandbox/app/installations` `{"id", "account"}`
/// - `PUT /_sandbox/webhook` `{"url", "secret"}`: where webhooks go
/// - `POST /_sandbox/deliveries/{guid}/fail`: mark a delivery failed
/// - `POST /_sandbox/faults` `{"method", "path_prefix", "status", "retry_after", "rate_limit_reset", "message", "remaining", "after_doing"}`
struct SandboxAdmin {
    let state: SandboxState
    let webhooks: SandboxWebhooks

    func register(on router: Router<BasicRequestContext>) {
        router.post("/_sandbox/users") { request, _ in
            let fields = try await Self.fields(request)
            guard let login = fields["login"] as? String, let token = fields["token"] as? String else {
                return Self.reply(422, "login and token are required")
            }
            await state.addUser(login, token: token)
            return Self.reply(201, "created user \(login)")
        }
        router.post("/_sandbox/repos") { request, _ in
            let fields = try await Self.fields(request)
            guard let owner = fields["owner"] as? String, let name = fields["name"] as? String else {
                return Self.reply(422, "owner and name are required")
            }
            do {
                try await state.addRepository(owner: owner, name: name)
            } catch let error as SandboxError {
                return Self.reply(error.status, error.message)
            }
            return Self.reply(201, "created \(owner)/\(name)")
        }
        router.put("/_sandbox/repos/:owner/:repo/collaborators/:login") { request, context in
            let fields = try await Self.fields(request)
            let permission = fields["permission"] as? String ?? "write"
            let repository = "\(try context.parameters.require("owner"))/\(try context.parameters.require("repo"))"
            await state.setPermission(permission, for: try context.parameters.require("login"), in: repository)
            return Self.reply(200, "\(permission) on \(repository)")
        }
        router.post("/_sandbox/app") { request, _ in
            let fields = try await Self.fields(request)
            guard let id = (fields["id"] as? NSNumber)?.int64Value, let slug = fields["slug"] as? String,
                let key = fields["public_key_pem"] as? String
            else { return Self.reply(422, "id, slug and public_key_pem are required") }
            await state.registerApp(id: id, slug: slug, publicKeyPEM: key)
            return Self.reply(201, "registered app \(slug)")
        }
        router.post("/_sandbox/app/installations") { request, _ in
            let fields = try await Self.fields(request)
            guard let id = (fields["id"] as? NSNumber)?.int64Value, let account = fields["account"] as? String else {
                return Self.reply(422, "id and account are required")
            }
            await state.addInstallation(id, account: account)
            return Self.reply(201, "installed on \(account)")
        }
        router.put("/_sandbox/webhook") { request, _ in
            let fields = try await Self.fields(request)
            await webhooks.configure(url: (fields["url"] as? String).flatMap(URL.init(string:)), secret: fields["secret"] as? String)
            return Self.reply(200, "webhooks go to \(fields["url"] as? String ?? "nowhere")")
        }
        router.post("/_sandbox/deliveries/:guid/fail") { _, context in
            let guid = try context.parameters.require("guid")
            return await webhooks.markFailed(guid: guid) ? Self.reply(200, "marked failed") : Self.reply(404, "no delivery \(guid)")
        }
        router.post("/_sandbox/faults") { request, _ in
            let body = try await request.body.collect(upTo: 1 << 20)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            guard let fault = try? decoder.decode(SandboxState.Fault.self, from: Data(body.readableBytesView)) else {
                return Self.reply(422, "a fault needs method, path_prefix, status, message and remaining")
            }
            await state.addFault(fault)
            return Self.reply(201, "fault added")
        }
    }

    static func fields(_ request: Request) async throws -> [String: Any] {
        let body = try await request.body.collect(upTo: 1 << 20)
        return (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    static func reply(_ status: Int, _ message: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: SandboxJSON.data(["message": message])))
        )
    }
}
