import Foundation

/// Wall-clock time in the units MLflow stores: milliseconds since the Unix epoch.
///
/// Named so that it does not shadow the standard library's `Clock` protocol in code that imports Logbook.
public enum WallClock {
    /// Now, in milliseconds since the Unix epoch.
    public static func nowMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
