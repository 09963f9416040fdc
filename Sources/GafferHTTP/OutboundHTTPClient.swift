import AsyncHTTPClient

/// The one HTTP client Gaffer calls other services with (GitHub, AWS).
///
/// It tries each connection once, with a short connect timeout: AsyncHTTPClient's default keeps
/// reconnecting until the request's deadline, which turns a refused port into minutes of waiting.
/// Whether and when to try again is the calling client's decision, with its own backoff.
public enum OutboundHTTPClient {
    public static let shared: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(5)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()
}
