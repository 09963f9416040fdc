import Foundation
import GafferCore
import Hummingbird

/// The sandbox's face: GitHub's pages at GitHub's addresses, small, so a newcomer can click through a
/// task in a browser. `/login` picks who you are (any of the sandbox's people, no password);
/// `/{owner}/{repo}/issues` lists issues and pull requests and opens a new issue (labelled `gaffer`);
/// `/{owner}/{repo}/issues/{n}` and `/{owner}/{repo}/pull/{n}` show one with its comments (and a pull
/// request's files and checks) and a comment box. What you do there raises webhooks as the API does.
struct SandboxWeb {
    let state: SandboxState
    let events: @Sendable () async -> Void
    static let cookie = "sandbox_login"

    func register(on router: Router<BasicRequestContext>) {
        router.get("/login") { request, _ in await self.loginPage(request) }
        router.post("/login") { request, _ in
            let fields = try await SandboxOAuth.fields(request)
            let login = fields["login"] ?? ""
            let next = fields["next"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/"
            var response = Response(status: .seeOther, headers: [.location: next])
            response.setCookie(Cookie(name: Self.cookie, value: login, path: "/", httpOnly: true, sameSite: .lax))
            return response
        }
        router.get("/") { _, _ in
            let repositories = await state.repositoryNames()
            let list = repositories.map { "<li><a href=\"/\(HTMLText.escape($0))/issues\">\(HTMLText.escape($0))</a></li>" }.joined()
            return Self.page("GitHub sandbox", user: nil, "<h1>Repositories</h1><ul>\(list)</ul>")
        }
        router.get("/:owner/:repo/issues") { request, context in try await self.list(request, context) }
        router.post("/:owner/:repo/issues") { request, context in try await self.openIssue(request, context) }
        router.get("/:owner/:repo/issues/:number") { request, context in try await self.item(request, context) }
        router.get("/:owner/:repo/pull/:number") { request, context in try await self.item(request, context) }
        router.post("/:owner/:repo/issues/:number/comments") { request, context in try await self.comment(request, context) }
    }

    private func user(_ request: Request) -> String? {
        request.cookies[Self.cookie]?.value.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
    }

    private func loginPage(_ request: Request) async -> Response {
        let next = HTMLText.escape(request.uri.queryParameters.get("next").map { String($0) } ?? "/")
        let forms = await state.people().map { person in
            """
            <form method="post" action="/login"><input type="hidden" name="login" value="\(HTMLText.escape(person.login))">\
            <input type="hidden" name="next" value="\(next)"><button type="submit" id="login-\(HTMLText.escape(person.login))">\
            Sign in as \(HTMLText.escape(person.login))</button></form>
            """
        }.joined(separator: "\n")
        return Self.page(
            "Sign in",
            user: user(request),
            "<h1>Sign in to the GitHub sandbox</h1><p>Pick anyone: the sandbox has no passwords.</p>\(forms)"
        )
    }

    private func list(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (owner, name) = (try context.parameters.require("owner"), try context.parameters.require("repo"))
        guard let items = await state.webItems(owner, name) else {
            return Self.page("Not found", user: user(request), "<h1>Not found</h1>", status: .notFound)
        }
        let rows = items.map { item in
            let path = "/\(HTMLText.escape(owner))/\(HTMLText.escape(name))/\(item.isPull ? "pull" : "issues")/\(item.number)"
            return "<tr><td>\(item.isPull ? "⇄" : "◉")</td><td><a href=\"\(path)\">\(HTMLText.escape(item.title))</a></td><td>#\(item.number)</td>"
                + "<td class=\"\(HTMLText.escape(item.state))\">\(HTMLText.escape(item.state))</td><td>\(HTMLText.escape(item.author))</td></tr>"
        }.joined(separator: "\n")
        let me = user(request)
        let form =
            me == nil
            ? "<p><a href=\"/login?next=\(HTMLText.escape(request.uri.path))\">Sign in</a> to open an issue.</p>"
            : """
            <h2>New issue</h2><form method="post" class="box"><input name="title" id="new-title" placeholder="Title" required>\
            <textarea name="body" id="new-body" rows="5" placeholder="Describe what you need"></textarea>\
            <label><input type="checkbox" name="gaffer" value="1" checked> label <code>gaffer</code> (Gaffer reads it)</label>\
            <button type="submit" id="submit-issue">Open issue</button></form>
            """
        return Self.page(
            "\(owner)/\(name)",
            user: me,
            "<h1>\(HTMLText.escape(owner))/\(HTMLText.escape(name))</h1><table class=\"items\">\(rows.isEmpty ? "<tr><td>No issues yet.</td></tr>" : rows)</table>\(form)"
        )
    }

    private func item(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (owner, name) = (try context.parameters.require("owner"), try context.parameters.require("repo"))
        guard let number = context.parameters.get("number").flatMap({ Int($0) }), let item = await state.webItem(owner, name, number: number) else {
            return Self.page("Not found", user: user(request), "<h1>Not found</h1>", status: .notFound)
        }
        var html =
            "<p><a href=\"/\(HTMLText.escape(owner))/\(HTMLText.escape(name))/issues\">\(HTMLText.escape(owner))/\(HTMLText.escape(name))</a></p>"
        html += "<h1>\(HTMLText.escape(item.title)) <span class=\"number\">#\(item.number)</span></h1>"
        html +=
            "<p><span class=\"state \(HTMLText.escape(item.state))\">\(HTMLText.escape(item.state))</span> opened by <b>\(HTMLText.escape(item.author))</b>"
        if let head = item.head, let base = item.base {
            html += " · wants to merge <code>\(HTMLText.escape(head))</code> into <code>\(HTMLText.escape(base))</code>"
        }
        if !item.labels.isEmpty { html += " · " + item.labels.map { "<span class=\"label\">\(HTMLText.escape($0))</span>" }.joined(separator: " ") }
        let body = Self.shown(item.body)
        html +=
            "</p><div class=\"comment\" id=\"body\"><div class=\"md\">\(body.isEmpty ? "<i>No description provided.</i>" : HTMLText.escape(body))</div></div>"
        if item.isPull {
            html +=
                "<h2>Checks</h2>"
                + (item.checks.isEmpty
                    ? "<p>No checks.</p>"
                    : "<ul id=\"checks\">"
                        + item.checks.map { check in
                            "<li><b>\(HTMLText.escape(check.name))</b>: \(HTMLText.escape(check.conclusion ?? check.status))\(check.title.map { " · \(HTMLText.escape($0))" } ?? "")"
                                + (check.summary.map { "<details><summary>summary</summary><div class=\"md\">\(HTMLText.escape($0))</div></details>" }
                                    ?? "") + "</li>"
                        }.joined() + "</ul>")
            html +=
                "<h2>Files changed</h2>"
                + (item.files.isEmpty
                    ? "<p>No files.</p>"
                    : "<table id=\"files\">"
                        + item.files.map { file in
                            "<tr><td><code>\(HTMLText.escape(file.path))</code></td><td class=\"added\">+\(HTMLText.escape(file.added))</td><td class=\"removed\">−\(HTMLText.escape(file.removed))</td></tr>"
                        }.joined() + "</table>")
        }
        html += "<h2>Comments</h2>"
        html +=
            item.comments.isEmpty
            ? "<p>No comments yet.</p>"
            : item.comments.map { comment in
                "<div class=\"comment\"><p class=\"who\"><b>\(HTMLText.escape(comment.author))</b></p><div class=\"md\">\(HTMLText.escape(Self.shown(comment.body)))</div></div>"
            }.joined(separator: "\n")
        if user(request) != nil {
            html += """
                <form method="post" action="/\(HTMLText.escape(owner))/\(HTMLText.escape(name))/issues/\(item.number)/comments" class="box">\
                <textarea name="body" id="comment-body" rows="3" required placeholder="Comment, e.g. /approve"></textarea>\
                <input type="hidden" name="back" value="\(HTMLText.escape(request.uri.path))"><button type="submit" id="submit-comment">Comment</button></form>
                """
        } else {
            html += "<p><a href=\"/login?next=\(HTMLText.escape(request.uri.path))\">Sign in</a> to comment.</p>"
        }
        return Self.page("\(item.title) · #\(item.number)", user: user(request), html)
    }

    private func openIssue(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (owner, name) = (try context.parameters.require("owner"), try context.parameters.require("repo"))
        guard let login = user(request) else { return Response(status: .seeOther, headers: [.location: "/login"]) }
        let fields = try await SandboxOAuth.fields(request)
        do {
            let reply = try await state.createIssue(
                owner,
                name,
                title: fields["title"] ?? "",
                body: fields["body"],
                labels: fields["gaffer"] == nil ? [] : ["gaffer"],
                login: login,
                base: "http://\(request.head.authority ?? "127.0.0.1")"
            )
            await events()
            let number = (try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any])?["number"] as? Int
            return Response(status: .seeOther, headers: [.location: "/\(owner)/\(name)/issues/\(number.map(String.init) ?? "")"])
        } catch let error as SandboxError {
            return Self.page("Refused", user: login, "<h1>Refused</h1><p>\(HTMLText.escape(error.message))</p>", status: .init(code: error.status))
        }
    }

    private func comment(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let (owner, name) = (try context.parameters.require("owner"), try context.parameters.require("repo"))
        guard let login = user(request), let number = context.parameters.get("number").flatMap({ Int($0) }) else {
            return Response(status: .seeOther, headers: [.location: "/login"])
        }
        let fields = try await SandboxOAuth.fields(request)
        do {
            _ = try await state.createComment(
                owner,
                name,
                number: number,
                body: fields["body"] ?? "",
                login: login,
                base: "http://\(request.head.authority ?? "127.0.0.1")"
            )
            await events()
        } catch let error as SandboxError {
            return Self.page("Refused", user: login, "<h1>Refused</h1><p>\(HTMLText.escape(error.message))</p>", status: .init(code: error.status))
        }
        let back = fields["back"].flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/\(owner)/\(name)/issues/\(number)"
        return Response(status: .seeOther, headers: [.location: back])
    }

    static func page(_ title: String, user: String?, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let who =
            user.map { "signed in as <b id=\"sandbox-user\">\(HTMLText.escape($0))</b> · <a href=\"/login\">switch</a>" }
            ?? "<a href=\"/login\">Sign in</a>"
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title)) · GitHub sandbox</title><style>
            body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1f2328}header{background:#24292f;color:#fff;padding:.6rem 1rem;display:flex;justify-content:space-between}
            header a{color:#fff}main{max-width:60rem;margin:0 auto;padding:1rem}.number{color:#59636e;font-weight:400}
            .comment{border:1px solid #d1d9e0;border-radius:6px;margin:.75rem 0;padding:.5rem 1rem}.md{white-space:pre-wrap;overflow-wrap:anywhere}
            .who{margin:0;color:#59636e}.box{display:grid;gap:.5rem;max-width:40rem}input,textarea,button{font:inherit;padding:.35rem .5rem}
            table{border-collapse:collapse}td{padding:.3rem .6rem;border-bottom:1px solid #d1d9e0}.added{color:#1a7f37}.removed{color:#cf222e}
            .state,.label{border:1px solid currentColor;border-radius:1rem;padding:0 .5rem;font-size:12px}.open{color:#1a7f37}.closed{color:#cf222e}.merged{color:#8250df}
            </style></head><body><header><a href="/"><b>GitHub sandbox</b></a><span>\(who)</span></header><main>\(body)</main></body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Markdown as GitHub shows it in one respect: HTML comments (Gaffer's markers) are not shown.
    static func shown(_ markdown: String) -> String {
        markdown.replacing(/<!--[\s\S]*?-->\n?/, with: "").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
