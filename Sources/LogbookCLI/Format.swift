import Foundation
import LogbookCore

/// How the CLI writes times, durations and numbers.
enum Format {
    /// A millisecond timestamp as local date and time.
    /// A titled block of aligned `key  value` lines, after a blank line; nothing when empty.
    static func section(_ title: String, _ pairs: [(String, String)], into lines: inout [String]) {
        guard !pairs.isEmpty else { return }
        lines.append("")
        lines.append(title)
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs {
            lines.append("  " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    static func time(_ milliseconds: Int64) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// A duration given in milliseconds, such as `350ms`, `12.5s`, `4m03s` or `2h05m`.
    static func duration(_ milliseconds: Int64) -> String {
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        let seconds = Double(milliseconds) / 1000
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let total = Int(seconds)
        if total < 3600 { return String(format: "%dm%02ds", total / 60, total % 60) }
        return String(format: "%dh%02dm", total / 3600, (total % 3600) / 60)
    }

    /// A metric value, short: up to 4 significant digits for display.
    static func value(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Inf" : "-Inf" }
        return String(format: "%.4g", value)
    }
}

/// The runs table of `logbook runs list` and `logbook demo`.
struct RunTable {
    var runs: [Run]
    var now: Int64 = WallClock.nowMilliseconds()

    var rendered: String {
        TextTable(
            header: ["RUN ID", "NAME", "STATUS", "STARTED", "DURATION", "PARENT", "METRICS"],
            rows: runs.map { run in
                let info = run.info
                let duration = (info.endTime ?? now) - info.startTime
                let metrics = run.data.metrics.prefix(3).map { "\($0.key)=\(Format.value($0.value))" }
                    .joined(separator: " ")
                let status = Heartbeat.isStale(run, now: now) ? "RUNNING (stale)" : info.status.rawValue
                return [
                    info.runID, info.runName, status, Format.time(info.startTime),
                    Format.duration(max(0, duration)),
                    run.data.tag(SystemTag.parentRunID).map { String($0.prefix(8)) } ?? "",
                    metrics + (run.data.metrics.count > 3 ? " …" : ""),
                ]
            }
        ).rendered
    }
}

/// The view of one run in `logbook runs show`.
struct RunDetail {
    var run: Run

    var rendered: String {
        let info = run.info
        var lines = [
            "Run \(info.runID)",
            "  name:        \(info.runName)",
            "  experiment:  \(info.experimentID)",
            "  status:      \(info.status.rawValue)\(info.lifecycleStage == .deleted ? " (deleted)" : "")",
            "  user:        \(info.userID)",
            "  started:     \(Format.time(info.startTime))",
        ]
        if let end = info.endTime {
            lines.append("  ended:       \(Format.time(end)) (\(Format.duration(end - info.startTime)))")
        }
        lines.append("  artifacts:   \(info.artifactURI)")
        Format.section("Params", run.data.params.map { ($0.key, $0.value) }, into: &lines)
        Format.section(
            "Metrics (latest)", run.data.metrics.map { ($0.key, "\(Format.value($0.value))  (step \($0.step))") },
            into: &lines)
        Format.section("Tags", run.data.tags.map { ($0.key, $0.value) }, into: &lines)
        return lines.joined(separator: "\n")
    }
}
