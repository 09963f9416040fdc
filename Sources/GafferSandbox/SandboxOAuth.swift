import Foundation
import GafferCore
import Hummingbird

/// GitHub's sign-in pages for OAuth apps, as the sandbox serves them beside its API:
///
/// - `GET /login/oauth/authorize?client_id&redirect_uri&state`: a page to sign in as any of the sandbox's people
///   (GitHub would show its own sign-in, then "Authorize"); choosing one sends the browser back to
///   `redirect_uri?code=…&state=…`.
/// - `POST /login/oauth/access_token` (`client_id`, `client_secret`, `code`, `redirect_uri`; form or JSON): the
///   user's token, as JSON when asked with `Accept: application/json`, else form-encoded, as GitHub does.
/// - `POST /_sandbox/oauth_apps` `{"client_id", "client_secret"}`: registers an OAuth app.
struct SandboxOAuth {
    let state: SandboxState

    func register(on router: Router<BasicRequestContext>) {
        router.get("/login/oauth/authorize") { request, _ in try await self.authorizePage(request) }
        router.post("/login/oauth/authorize") { request, _ in try await self.authorize(request) }
        router.post("/login/oauth/access_token") { request, _ in try await self.accessToken(request) }
        router.post("/_sandbox/oauth_apps") { request, _ in
            let fields = try await Self.fields(request)
            guard let id = fields["client_id"], let secret = fields["client_secret"] else {
                return Self.html(422, "<p>client_id and client_secret are required</p>")
            }
            await state.registerOAuthApp(clientID: id, clientSecret: secret)
            return Self.html(201, "<p>registered \(HTMLText.escape(id))</p>")
        }
    }

    private func authorizePage(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let clientID = query.get("client_id").map({ String($0) }), await state.oauthApp(clientID) != nil else {
            return Self.html(404, "<h1>Not found</h1><p>No OAuth app has this client_id.</p>")
        }
        let redirect = query.get("redirect_uri").map { String($0) } ?? ""
        let stateValue = query.get("state").map { String($0) } ?? ""
        var buttons = ""
        for person in await state.people() {
            buttons += """
                <form method="post" action="/login/oauth/authorize">
                <input type="hidden" name="client_id" value="\(HTMLText.escape(clientID))">
                <input type="hidden" name="redirect_uri" value="\(HTMLText.escape(redirect))">
                <input type="hidden" name="state" value="\(HTMLText.escape(stateValue))">
                <input type="hidden" name="login" value="\(HTMLText.escape(person.login))">
                <button type="submit" id="signin-\(HTMLText.escape(person.login))">Sign in as \(HTMLText.escape(person.login))</button>
                </form>

                """
        }
        return Self.html(
            200,
            """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorize application · GitHub sandbox</title>
            <style>body{font:15px system-ui,sans-serif;max-width:28rem;margin:10vh auto}form{margin:.5rem 0}button{font:inherit;padding:.4rem 1rem}</style>
            </head><body><h1>Authorize application</h1>
            <p>The GitHub sandbox signs you in as any of its people. The application will learn your login.</p>
            \(buttons.isEmpty ? "<p>The sandbox has no people yet.</p>" : buttons)
            </body></html>
            """
        )
    }

    private func authorize(_ request: Request) async throws -> Response {
        let fields = try await Self.fields(request)
        guard let clientID = fields["client_id"], let login = fields["login"], let redirect = fields["redirect_uri"],
            var components = URLComponents(string: redirect), components.scheme == "http" || components.scheme == "https"
        else {
            return Self.html(422, "<p>client_id, login and an http(s) redirect_uri are required</p>")
        }
        let code: String
        do {
            code = try await state.issueOAuthCode(login: login, clientID: clientID, redirectURI: redirect)
        } catch let error as SandboxError {
            return Self.html(error.status, "<p>\(HTMLText.escape(error.message))</p>")
        }
        components.queryItems =
            (components.queryItems ?? []) + [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: fields["state"] ?? "")]
        return Response(status: .found, headers: [.location: components.string ?? redirect])
    }

    private func accessToken(_ request: Request) async throws -> Response {
        let wantsJSON = request.headers[.accept]?.contains("json") == true
        let fields = try await Self.fields(request)
        let answer = await state.exchangeOAuthCode(
            clientID: fields["client_id"] ?? "",
            clientSecret: fields["client_secret"] ?? "",
            code: fields["code"] ?? "",
            redirectURI: fields["redirect_uri"]
        )
        var headers = HTTPFields()
        let body: Data
        if wantsJSON {
            headers[.contentType] = "application/json; charset=utf-8"
            body = SandboxJSON.data(answer)
        } else {
            headers[.contentType] = "application/x-www-form-urlencoded; charset=utf-8"
            var form = URLComponents()
            form.queryItems = answer.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: "\($0.value)") }
            body = Data((form.percentEncodedQuery ?? "").utf8)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// A form's or a JSON object's string fields.
    static func fields(_ request: Request) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: 64 << 10)
        let data = Data(body.readableBytesView)
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            return object.compactMapValues { $0 as? String }
        }
        return HTMLText.formFields(String(decoding: data, as: UTF8.self))
    }

    static func html(_ status: Int, _ text: String) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "text/html; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text))
        )
    }

}
