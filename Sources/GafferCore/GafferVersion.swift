/// Gaffer's version, as `gaffer version` prints it.
public enum GafferVersion {
    public static let current = "0.1.0"
}
