import LogbookCore
import LogbookWire

/// The chart controls a page keeps in its query string: x-axis, y scale, smoothing.
struct ChartSettings {
    var xAxis: String
    var yScale: String
    var smoothing: Double

    init(_ query: inout UIQuery) {
        xAxis = query.choice("x", ["step", "time", "relative"], default: "step")
        yScale = query.choice("y", ["linear", "log"], default: "linear")
        let smooth = query.string("smooth")
        if let smooth, let value = Double(smooth), (0...0.99).contains(value) {
            smoothing = value
        } else {
            if let smooth { query.notes.append("Ignored smooth=\(smooth): use a number from 0 to 0.99.") }
            smoothing = 0
        }
    }

    var controls: HTML {
        func option(_ value: String, _ label: String, _ current: String) -> HTML {
            "<option value=\"\(value)\"\(HTML.when(value == current, " selected"))>\(label)</option>"
        }
        return """
            <div class="chart-controls">
            <label>X axis <select name="x">\(option("step", "Step", xAxis))\(option("time", "Wall time", xAxis))\(option("relative", "Relative time", xAxis))</select></label>
            <label>Y axis <select name="y">\(option("linear", "Linear", yScale))\(option("log", "Log", yScale))</select></label>
            <label>Smoothing <input type="range" name="smooth" min="0" max="0.99" step="0.01" value="\(String(smoothing))"><output>\(String(smoothing))</output></label>
            <span class="hint">Drag across a chart to zoom; double-click to reset.</span>
            </div>
            """
    }

    /// One empty chart per key; the page script fills them as they scroll into view.
    static func grid(_ keys: [String], empty: String) -> HTML {
        guard !keys.isEmpty else { return empty.isEmpty ? "" : "<p class=\"muted charts-empty\">\(empty)</p>" }
        let figures = keys.map { key -> HTML in
            "<figure class=\"chart\" data-key=\"\(key)\"><figcaption>\(key)</figcaption><canvas role=\"img\" aria-label=\"Chart of \(key)\"></canvas><div class=\"chart-note\"></div></figure>"
        }
        return "<div class=\"charts\">\(figures)</div>"
    }

    /// The runs a chart section draws, for the page script: id, name, start time, status, and
    /// their params and finite latest metrics (`params.<key>`, `metrics.<key>`) for scatter plots.
    static func runsJSON(_ runs: [Run]) -> String {
        var writer = JSONWriter()
        writer.raw("[")
        for (index, run) in runs.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.raw("{\"id\":")
            writer.string(run.id)
            writer.raw(",\"name\":")
            writer.string(run.info.runName)
            writer.raw(",\"start\":")
            writer.integer(run.info.startTime)
            writer.raw(",\"status\":")
            writer.string(run.info.status.rawValue)
            writer.raw(",\"values\":{")
            var first = true
            for param in run.data.params {
                if !first { writer.raw(",") }
                first = false
                writer.string("params." + param.key)
                writer.raw(":")
                writer.string(param.value)
            }
            for metric in run.data.metrics where metric.value.isFinite {
                if !first { writer.raw(",") }
                first = false
                writer.string("metrics." + metric.key)
                writer.raw(":")
                writer.double(metric.value)
            }
            writer.raw("}}")
        }
        writer.raw("]")
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
