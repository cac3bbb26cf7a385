import Foundation

/// How values read on a page: times, durations, numbers, commits.
enum UIFormat {
    /// `2026-12-02 07:45:12` (UTC) in a `<time>` element; the page script shows it in local time.
    static func time(_ milliseconds: Int64?) -> HTML {
        guard let milliseconds else { return "" }
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        return "<time datetime=\"\(iso.string(from: date))\">\(plain.string(from: date))</time>"
    }

    nonisolated(unsafe) private static let iso: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()

    private static let plain: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()

    /// `420ms`, `5.2s`, `3m 04s`, `2h 05m`, `3d 4h`.
    static func duration(_ milliseconds: Int64) -> String {
        let ms = max(milliseconds, 0)
        if ms < 1000 { return "\(ms)ms" }
        let seconds = ms / 1000
        if seconds < 60 { return String(format: "%.1fs", Double(ms) / 1000) }
        if seconds < 3600 { return String(format: "%dm %02ds", seconds / 60, seconds % 60) }
        if seconds < 86400 { return String(format: "%dh %02dm", seconds / 3600, (seconds % 3600) / 60) }
        return "\(seconds / 86400)d \((seconds % 86400) / 3600)h"
    }

    /// A run's duration: to its end, or to now while it runs.
    static func duration(start: Int64, end: Int64?, now: Int64) -> String {
        duration((end ?? now) - start)
    }

    /// Up to 6 significant digits; NaN and ±Inf spelled out.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.6g", value)
    }

    /// The first 8 characters of a commit.
    static func commit(_ sha: String?) -> String { String((sha ?? "").prefix(8)) }

    /// The last component of a path.
    static func basename(_ path: String?) -> String {
        guard let path, !path.isEmpty else { return "" }
        return String(path.split(separator: "/").last ?? Substring(path))
    }
}
