import Foundation

/// HTTP's `Date` header format (`Sat, 21 Nov 2026 09:45:40 GMT`), read when a server's
/// clock matters: GitHub's rate-limit reset, AWS's clock-skew correction.
public enum HTTPDate {
    public static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
