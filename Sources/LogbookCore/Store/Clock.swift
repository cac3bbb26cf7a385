import Foundation

/// Wall-clock time in the units MLflow stores: milliseconds since the Unix epoch.
public enum Clock {
    /// Now, in milliseconds since the Unix epoch.
    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
