import Foundation
import GafferCore

/// Where a PostgreSQL store is, read from a `postgres://user[:password]@host[:port]/database?sslmode=…`
/// URL as libpq reads it. The password may instead come from a file or the environment; it is
/// never printed (`description` shows `***`).
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    /// libpq's `sslmode`: how the connection uses TLS.
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        /// TLS when the server offers it, without checking its certificate (libpq's default).
        case prefer
        /// TLS or no connection; the certificate is not checked.
        case require
        /// TLS, with the certificate checked against the trusted roots but not the host name.
        case verifyCA = "verify-ca"
        /// TLS, with the certificate checked against the trusted roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: Secret?
    public var database: String
    public var tls: TLSMode
    /// A PEM file of the roots to trust (`sslrootcert`); the system's when nil.
    public var rootCertificates: String?

    public init(
        host: String,
        port: Int = 5432,
        user: String,
        password: Secret?,
        database: String,
        tls: TLSMode = .prefer,
        rootCertificates: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.tls = tls
        self.rootCertificates = rootCertificates
    }

    /// Reads a `postgres://` or `postgresql://` URL. `password`, when given, is used instead of one in the URL.
    public init(url text: String, password: Secret? = nil) throws {
        let example = "postgres://gaffer@db.example.com:5432/gaffer?sslmode=verify-full"
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw PostgresAddressError("database_url is not a URL; write it as \(example)")
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw PostgresAddressError("database_url starts with '\(scheme)://'; Gaffer's shared store is PostgreSQL: \(example)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresAddressError("database_url names no host; write it as \(example)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresAddressError("database_url names no user; write it as \(example)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresAddressError("database_url names no database after the host; write it as \(example)")
        }
        var tls = TLSMode.prefer
        var roots: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    let known = TLSMode.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PostgresAddressError("database_url's sslmode '\(item.value ?? "")' is not one of \(known)")
                }
                tls = mode
            case "sslrootcert": roots = item.value
            default:
                throw PostgresAddressError(
                    "database_url has the parameter '\(item.name)', which Gaffer does not read; it reads sslmode and sslrootcert"
                )
            }
        }
        if let roots, !FileManager.default.isReadableFile(atPath: roots) {
            throw PostgresAddressError("database_url's sslrootcert \(roots) cannot be read")
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            user: user,
            password: password ?? components.password.map(Secret.init),
            database: database,
            tls: tls,
            rootCertificates: roots
        )
    }

    /// The URL with the password shown as `***`.
    public var description: String {
        var text = "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
        if let rootCertificates { text += "&sslrootcert=\(rootCertificates)" }
        return text
    }

    /// True for the URLs this type reads, so a configuration can tell PostgreSQL from SQLite before parsing.
    public static func isPostgresURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }
}

/// A database URL Gaffer cannot use; the message says what to write instead.
public struct PostgresAddressError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
