import Foundation

/// Text for the HTML Gaffer serves itself (the dashboard's drawings, the sandbox's pages), and the
/// forms those pages send back.
public enum HTMLText {
    /// Safe in an element and in a quoted attribute.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// The fields of an `application/x-www-form-urlencoded` body (`+` is a space); the last of a repeated name wins.
    public static func formFields(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for item in URLComponents(string: "?" + body.replacingOccurrences(of: "+", with: "%20"))?.queryItems ?? [] {
            fields[item.name] = item.value ?? ""
        }
        return fields
    }
}
