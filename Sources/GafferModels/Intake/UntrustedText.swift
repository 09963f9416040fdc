import Foundation

/// Issue and comment text made fit for a model to read as data: what a person reading the issue on GitHub
/// does not see is taken out, since that is where an instruction meant only for a model would hide.
public enum UntrustedText {
    /// The most characters of one text a model is shown.
    public static let maximumCharacters = 20_000

    /// The text without HTML comments, elements hidden by `hidden` or `display: none`, zero-width and
    /// direction-changing characters (Unicode's format characters) and Gaffer's own markers; at most
    /// `maximumCharacters`, with a note when it was cut.
    public static func sanitized(_ text: String) -> String {
        var text = text
        // An unclosed comment hides everything after it on GitHub, so it goes to the end.
        text = text.replacing(/<!--[\s\S]*?(-->|$)/, with: "")
        text = text.replacing(
            /(?i)<([a-z][a-z0-9]*)\b[^>]*\b(hidden\b|style\s*=\s*["'][^"']*(display\s*:\s*none|visibility\s*:\s*hidden)[^"']*["'])[^>]*>[\s\S]*?<\/\1\s*>/,
            with: ""
        )
        text = String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .format }))
        if text.count > maximumCharacters {
            text = String(text.prefix(maximumCharacters)) + "\n[… cut: the text is longer than \(maximumCharacters) characters]"
        }
        return text
    }
}
