import Foundation
import Hummingbird

/// `GET /reports/{id}.json` and `GET /reports/{id}.csv`: a report's whole content, as the issue's
/// comment links it, behind the API token.
struct ReportsAPI: Sendable {
    /// `<data>/reports`.
    let directory: URL
    let authenticator: BearerAuthenticator

    func register(on router: Router<some RequestContext>) {
        router.get("/reports/{file}") { request, context in try self.show(request, context: context) }
    }

    private func show(_ request: Request, context: some RequestContext) throws -> Response {
        if let refusal = authenticator.refusal(for: request) { return refusal }
        let file = context.parameters.get("file") ?? ""
        let parts = file.split(separator: ".", maxSplits: 1).map(String.init)
        // A plan id is a UUID: nothing else names a file here, so no path can leave the folder.
        guard parts.count == 2, UUID(uuidString: parts[0]) != nil, ["json", "csv"].contains(parts[1]) else {
            return JSONResponse.error(.notFound, code: "not_found", message: "reports are named /reports/<id>.json or /reports/<id>.csv")
        }
        guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(file).path) else {
            return JSONResponse.error(.notFound, code: "not_found", message: "there is no report \(parts[0])")
        }
        let type = parts[1] == "json" ? "application/json" : "text/csv; charset=utf-8"
        return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
