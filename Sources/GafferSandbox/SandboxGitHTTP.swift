import Foundation
import GafferProcess
import HTTPTypes
import Hummingbird
import NIOCore

/// Git's smart HTTP protocol at each repository's `clone_url`
/// (`/{owner}/{repo}.git/...`), served by `git http-backend` as GitHub's
/// servers serve it, with GitHub's rules: anyone may fetch a public
/// repository; a push takes a token (as the password, any user name) whose
/// owner may write, or an installation token of an app installed on the
/// owner. A push raises `push`, and `pull_request.synchronize` for each open
/// pull request whose head branch moved.
struct SandboxGitHTTP {
    let state: SandboxState
    let events: @Sendable () async -> Void

    /// The most a push or fetch request may carry.
    static let maxRequestBytes = 200 << 20

    func register(on router: Router<BasicRequestContext>) {
        router.get("/:owner/:repo/info/refs") { request, context in
            let service = request.uri.queryParameters.get("service") ?? ""
            guard ["git-upload-pack", "git-receive-pack"].contains(service) else {
                return Self.text(403, "dumb HTTP is not served: use a git client that speaks smart HTTP\n")
            }
            return try await serve(request, context, pushing: service == "git-receive-pack", path: "info/refs")
        }
        router.post("/:owner/:repo/git-upload-pack") { request, context in
            try await serve(request, context, pushing: false, path: "git-upload-pack")
        }
        router.post("/:owner/:repo/git-receive-pack") { request, context in
            try await serve(request, context, pushing: true, path: "git-receive-pack")
        }
    }

    private func serve(_ request: Request, _ context: BasicRequestContext, pushing: Bool, path: String) async throws -> Response {
        let owner = context.parameters.get("owner") ?? ""
        var name = context.parameters.get("repo") ?? ""
        if name.hasSuffix(".git") { name.removeLast(4) }
        let access: SandboxState.GitAccess
        do {
            access = try await state.gitAccess(owner, name, password: Self.basicPassword(request.headers[.authorization]), pushing: pushing)
        } catch let error as SandboxError {
            var response = Self.text(error.status, error.message + "\n")
            if error.status == 401 { response.headers[.wwwAuthenticate] = "Basic realm=\"GitHub\"" }
            return response
        }
        let body = Data((try await request.body.collect(upTo: Self.maxRequestBytes)).readableBytesView)
        let commands = path == "git-receive-pack" ? Self.refUpdates(in: body, encoding: request.headers[.contentEncoding]) : []

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["GIT_PROJECT_ROOT"] = access.git.deletingLastPathComponent().path
        environment["GIT_HTTP_EXPORT_ALL"] = "1"
        environment["PATH_INFO"] = "/\(access.git.lastPathComponent)/\(path)"
        environment["REQUEST_METHOD"] = request.method.rawValue
        environment["QUERY_STRING"] = request.uri.query ?? ""
        environment["CONTENT_TYPE"] = request.headers[.contentType] ?? ""
        environment["CONTENT_LENGTH"] = String(body.count)
        environment["REMOTE_USER"] = access.login ?? ""
        environment["REMOTE_ADDR"] = "127.0.0.1"
        // Access was decided above, as GitHub decides it; http-backend only needs leave to receive.
        environment["GIT_CONFIG_COUNT"] = "1"
        environment["GIT_CONFIG_KEY_0"] = "http.receivepack"
        environment["GIT_CONFIG_VALUE_0"] = "true"
        if let encoding = request.headers[.contentEncoding] { environment["HTTP_CONTENT_ENCODING"] = encoding }
        if let field = HTTPField.Name("Git-Protocol"), let version = request.headers[field] { environment["GIT_PROTOCOL"] = version }

        let outcome: Program.Outcome
        do {
            outcome = try await Program.runDetached(["git", "http-backend"], environment: environment, input: body)
        } catch {
            return Self.text(500, "git http-backend could not be started: \(error)\n")
        }
        guard let response = Self.cgiResponse(outcome.output) else {
            return Self.text(500, "git http-backend failed: \(outcome.errorText)\n")
        }
        if !commands.isEmpty, let login = access.login {
            await state.refsPushed(commands, to: owner, name, login: login, base: "http://\(request.head.authority ?? "127.0.0.1")")
            await events()
        }
        return response
    }

    // MARK: - The wire

    /// A push's ref updates, from the pkt-lines before its pack (`<old> <new> <ref>`).
    static func refUpdates(in body: Data, encoding: String?) -> [SandboxState.RefUpdate] {
        // git compresses only fetch requests; a compressed push would be read after the fact by ref.
        guard encoding == nil || encoding == "identity" else { return [] }
        var updates: [SandboxState.RefUpdate] = []
        var offset = body.startIndex
        while offset + 4 <= body.endIndex, let length = Int(String(decoding: body[offset..<offset + 4], as: UTF8.self), radix: 16) {
            guard length >= 4, offset + length <= body.endIndex else { break }
            var line = body[offset + 4..<offset + length]
            offset += length
            if let nul = line.firstIndex(of: 0) { line = line[line.startIndex..<nul] }
            let fields = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .newlines).split(separator: " ")
            if fields.count == 3, fields[0].count == 40, fields[1].count == 40 {
                updates.append(.init(ref: String(fields[2]), before: String(fields[0]), after: String(fields[1])))
            }
        }
        return updates
    }

    /// A CGI program's answer (`Status:` and headers, a blank line, the body) as an HTTP response.
    static func cgiResponse(_ output: Data) -> Response? {
        let separator = Data("\r\n\r\n".utf8)
        let alternative = Data("\n\n".utf8)
        guard let end = output.range(of: separator) ?? output.range(of: alternative) else { return nil }
        var status = 200
        var fields = HTTPFields()
        for line in String(decoding: output[output.startIndex..<end.lowerBound], as: UTF8.self).split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[line.startIndex..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "status" {
                status = Int(value.prefix(3)) ?? 500
            } else if let fieldName = HTTPField.Name(name) {
                fields[fieldName] = value
            }
        }
        let body = output[end.upperBound...]
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The token in `Authorization: Basic`: the password, or the user name when there is no password (as GitHub takes either).
    static func basicPassword(_ header: String?) -> String? {
        guard let header, header.lowercased().hasPrefix("basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))) else {
            return nil
        }
        let pair = String(decoding: decoded, as: UTF8.self)
        guard let colon = pair.firstIndex(of: ":") else { return pair.isEmpty ? nil : pair }
        let password = String(pair[pair.index(after: colon)...])
        return password.isEmpty ? String(pair[pair.startIndex..<colon]) : password
    }

    static func text(_ status: Int, _ message: String) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; charset=utf-8"
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
