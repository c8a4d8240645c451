/// Verdict's version: the one place it is written (the CLI, reports and JSON read it from here).
public enum Verdict {
    public static let version = "0.1.0"
}
