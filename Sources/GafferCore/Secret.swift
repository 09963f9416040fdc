/// A value that must never be printed: tokens, webhook secrets, keys.
///
/// Every way Swift turns a value into text (`description`, `debugDescription`,
/// string interpolation, `dump`, `Mirror`) shows `***`, so a secret that slips
/// into a log line or an error message leaks nothing. Read the value only
/// where it is used, through `revealed`.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret text. Use it only to sign, compare or send; never to print.
    public let revealed: String

    public init(_ value: String) {
        self.revealed = value
    }

    public var description: String { "***" }
    public var debugDescription: String { "***" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
