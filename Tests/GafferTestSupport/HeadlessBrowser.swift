import AsyncHTTPClient
import Foundation
import NIOCore

/// Headless Chromium driven through chromedriver (Debian's `chromium` and `chromium-driver`)
/// over the W3C WebDriver protocol: what a person sees in a browser, checked by a test.
public final class HeadlessBrowser: Sendable {
    private let driver: ServerProcess
    private let base: String
    private let session: String

    private init(driver: ServerProcess, base: String, session: String) {
        self.driver = driver
        self.base = base
        self.session = session
    }

    static func start() async throws -> HeadlessBrowser {
        let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromedriver else { throw CommandFailed(command: "chromedriver", output: "not installed: run scripts/setup") }
        let port = try unusedPort()
        let driver = try ServerProcess(chromedriver, ["--port=\(port)", "--allowed-ips=127.0.0.1"])
        do {
            try await driver.waitForPort(port, what: "chromedriver")
            let base = "http://127.0.0.1:\(port)"
            let capabilities: [String: Any] = [
                "capabilities": [
                    "alwaysMatch": [
                        "browserName": "chrome",
                        "goog:chromeOptions": [
                            "binary": "/usr/bin/chromium",
                            // The tests run as root in a container: Chromium's sandbox needs user namespaces it may not have.
                            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"],
                        ],
                    ]
                ]
            ]
            let answer = try await call(base + "/session", method: "POST", body: capabilities)
            guard let session = (answer as? [String: Any])?["sessionId"] as? String else {
                throw CommandFailed(command: "WebDriver new session", output: "\(answer)")
            }
            return HeadlessBrowser(driver: driver, base: base, session: session)
        } catch {
            driver.stop()
            throw error
        }
    }

    public func open(_ url: String) async throws {
        _ = try await command("url", body: ["url": url])
    }

    /// The element's id, for `type`, `click` and `text`; nil when no element matches.
    public func find(_ css: String) async throws -> String? {
        let answer = try? await command("element", body: ["using": "css selector", "value": css])
        return (answer as? [String: Any])?.values.first as? String
    }

    public func type(_ text: String, into element: String) async throws {
        _ = try await command("element/\(element)/value", body: ["text": text])
    }

    public func click(_ element: String) async throws {
        _ = try await command("element/\(element)/click", body: [:])
    }

    public func text(of element: String) async throws -> String {
        (try await command("element/\(element)/text", method: "GET") as? String) ?? ""
    }

    /// The window (tab) the browser is on.
    public func window() async throws -> String {
        (try await command("window", method: "GET") as? String) ?? ""
    }

    /// Opens another tab and returns it; the browser stays on the one it was on.
    public func newWindow() async throws -> String {
        ((try await command("window/new", body: ["type": "tab"]) as? [String: Any])?["handle"] as? String) ?? ""
    }

    public func switchTo(window handle: String) async throws {
        _ = try await command("window", body: ["handle": handle])
    }

    /// The address the browser shows now (after redirects).
    public func currentURL() async throws -> String {
        (try await command("url", method: "GET") as? String) ?? ""
    }

    /// Runs JavaScript in the page and returns what it returns (as JSON turned into Swift values).
    @discardableResult
    public func execute(_ script: String) async throws -> Any {
        try await command("execute/sync", body: ["script": script, "args": [Any]()])
    }

    /// Saves what the window shows as a PNG, for a person to look at (see `TestArtifacts`).
    public func screenshot(to file: URL) async throws {
        guard let base64 = try await command("screenshot", method: "GET") as? String, let data = Data(base64Encoded: base64) else {
            throw CommandFailed(command: "WebDriver screenshot", output: "no image came back")
        }
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: file)
    }

    /// The text of the whole page, as a person reads it.
    public func pageText() async throws -> String {
        guard let body = try await find("body") else { return "" }
        return try await text(of: body)
    }

    /// A browser for `body`, closed afterwards whatever happens: ending the session is what makes
    /// chromedriver end Chromium, which runs in a process group of its own.
    public static func using<T>(_ body: (HeadlessBrowser) async throws -> T) async throws -> T {
        let browser = try await start()
        do {
            let result = try await body(browser)
            await browser.stop()
            return result
        } catch {
            await browser.stop()
            throw error
        }
    }

    public func stop() async {
        _ = try? await Self.call("\(base)/session/\(session)", method: "DELETE", body: nil)
        driver.stop()
    }

    private func command(_ path: String, method: String = "POST", body: [String: Any]? = nil) async throws -> Any {
        try await Self.call("\(base)/session/\(session)/\(path)", method: method, body: method == "GET" ? nil : body ?? [:])
    }

    /// One WebDriver call; its `value`, or an error with WebDriver's message.
    private static func call(_ url: String, method: String, body: [String: Any]?) async throws -> Any {
        let (status, data) = try await JSONRequest.exchange(
            method,
            url,
            body.map { try JSONSerialization.data(withJSONObject: $0) },
            timeout: .seconds(60)
        )
        let value = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["value"] ?? NSNull()
        guard status == 200 else {
            let message = ((value as? [String: Any])?["message"] as? String) ?? String(decoding: data, as: UTF8.self)
            throw CommandFailed(command: "WebDriver \(method) \(url)", output: message)
        }
        return value
    }
}

/// One JSON request to a service under test: its status and decoded body (nil when empty).
public enum JSONRequest {
    public static func send(_ method: String, _ url: String, _ body: Any? = nil) async throws -> (status: Int, body: Any?) {
        let (status, data) = try await exchange(method, url, body.map { try JSONSerialization.data(withJSONObject: $0) })
        return (status, data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    static func exchange(_ method: String, _ url: String, _ body: Data?, timeout: TimeAmount = .seconds(30)) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Data(bytes.readableBytesView))
    }
}
