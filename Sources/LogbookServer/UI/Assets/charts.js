// Logbook charts: line charts of metric series and scatter plots, drawn on <canvas>.
// No dependencies. Series arrive already thinned by the server (every bucket's extremes kept),
// so drawing every point given is both fast and faithful.

const PALETTE = [
  "#2f6fde", "#e4572e", "#17a673", "#a855f7", "#f0a30a", "#0ea5b7", "#d6336c", "#6b8e23",
  "#8b5a2b", "#4c51bf", "#e76f51", "#2a9d8f", "#b5179e", "#7f8c8d", "#c9a227", "#3a86ff",
];

/** A run's colour: a pure function of its id, the same on every page and chart. */
export function colorFor(runId) {
  let hash = 2166136261;
  for (let i = 0; i < runId.length; i++) {
    hash ^= runId.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length];
}

/** Debiased exponential moving average (weight 0–0.99): a constant stays constant and the first
 *  smoothed value equals the first raw one. */
export function smooth(values, weight) {
  if (!(weight > 0)) return values;
  const out = new Array(values.length);
  let last = 0, count = 0;
  for (let i = 0; i < values.length; i++) {
    last = last * weight + (1 - weight) * values[i];
    count++;
    out[i] = last / (1 - Math.pow(weight, count));
  }
  return out;
}

function niceTicks(min, max, count) {
  if (!(max > min)) { const d = Math.abs(min) || 1; min -= d / 2; max += d / 2; }
  const span = max - min, raw = span / Math.max(count, 1);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= count) || 10 * mag;
  const ticks = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

export function formatNumber(v) {
  if (!isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
  return String(Math.round(v * 1e4) / 1e4);
}

export function formatDuration(ms) {
  const s = Math.abs(ms) / 1000, sign = ms < 0 ? "-" : "";
  if (s < 60) return sign + (Math.round(s * 10) / 10) + "s";
  if (s < 3600) return sign + Math.floor(s / 60) + "m" + String(Math.floor(s % 60)).padStart(2, "0") + "s";
  if (s < 86400) return sign + Math.floor(s / 3600) + "h" + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
  return sign + Math.floor(s / 86400) + "d" + Math.floor((s % 86400) / 3600) + "h";
}

function formatTime(ms, span) {
  const d = new Date(ms);
  if (span > 2 * 86400000) return d.toLocaleDateString(undefined, { month: "short", day: "numeric" }) + " " + d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: span < 600000 ? "2-digit" : undefined });
}

function themeColors(el) {
  const css = getComputedStyle(el);
  return {
    fg: css.getPropertyValue("--fg").trim() || "#222",
    muted: css.getPropertyValue("--muted").trim() || "#777",
    line: css.getPropertyValue("--line").trim() || "#ddd",
    accent: css.getPropertyValue("--accent").trim() || "#2458c6",
  };
}

function setupCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || 400, height = canvas.clientHeight || 220;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  return { ctx, width, height };
}

let tooltip;
function showTooltip(text, x, y) {
  if (!tooltip) { tooltip = document.createElement("div"); tooltip.className = "tooltip"; document.body.append(tooltip); }
  tooltip.textContent = text;
  tooltip.hidden = false;
  tooltip.style.left = Math.min(x + 12, window.innerWidth - tooltip.offsetWidth - 4) + "px";
  tooltip.style.top = (y + 12) + "px";
}
function hideTooltip() { if (tooltip) tooltip.hidden = true; }

const PAD = { left: 56, right: 10, top: 8, bottom: 24 };

/**
 * One metric, one line per run. `series`: [{runId, name, start, points: [[step, timestamp, value], …]}].
 * Options: x ("step" | "time" | "relative"), y ("linear" | "log"), smooth (0–0.99).
 * `onZoom(minX, maxX)` is called with a dragged range on the server's axis, or (null, null) on double-click.
 */
export class LineChart {
  constructor(canvas, { onZoom } = {}) {
    this.canvas = canvas;
    this.series = [];
    this.options = { x: "step", y: "linear", smooth: 0 };
    this.onZoom = onZoom;
    this.drag = null;
    canvas.addEventListener("mousemove", (e) => this.hover(e));
    canvas.addEventListener("mouseleave", () => { hideTooltip(); if (this.drag) { this.drag = null; this.draw(); } });
    canvas.addEventListener("mousedown", (e) => { this.drag = { from: this.offsetX(e), to: this.offsetX(e) }; });
    canvas.addEventListener("mouseup", (e) => this.endDrag(e));
    canvas.addEventListener("dblclick", () => this.onZoom && this.onZoom(null, null));
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  offsetX(e) { return e.clientX - this.canvas.getBoundingClientRect().left; }

  setSeries(series) { this.series = series; this.draw(); }
  setOptions(options) { Object.assign(this.options, options); this.draw(); }

  /** The x of a point on the drawn axis. */
  xOf(p, s) {
    if (this.options.x === "step") return p[0];
    if (this.options.x === "relative") return p[1] - s.start;
    return p[1];
  }

  prepared() {
    const logY = this.options.y === "log";
    let hidden = 0;
    const lines = this.series.map((s) => {
      let pts = s.points;
      if (logY) { const kept = pts.filter((p) => p[2] > 0); hidden += pts.length - kept.length; pts = kept; }
      const xs = pts.map((p) => this.xOf(p, s));
      const ys = smooth(pts.map((p) => p[2]), this.options.smooth);
      return { s, pts, xs, ys, raw: pts.map((p) => p[2]) };
    });
    return { lines, hidden };
  }

  draw() {
    const { ctx, width, height } = setupCanvas(this.canvas);
    const colors = themeColors(this.canvas);
    const { lines, hidden } = this.prepared();
    this.hiddenForLog = hidden;
    let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
    for (const l of lines) {
      for (let i = 0; i < l.xs.length; i++) {
        const x = l.xs[i]; if (x < xmin) xmin = x; if (x > xmax) xmax = x;
        for (const y of [l.ys[i], l.raw[i]]) { if (y < ymin) ymin = y; if (y > ymax) ymax = y; }
      }
    }
    const plotW = width - PAD.left - PAD.right, plotH = height - PAD.top - PAD.bottom;
    ctx.font = "11px system-ui, sans-serif";
    if (!isFinite(xmin)) {
      ctx.fillStyle = colors.muted;
      ctx.fillText("No points", PAD.left, PAD.top + 20);
      this.frame = null;
      return;
    }
    const logY = this.options.y === "log";
    const ty = (v) => (logY ? Math.log10(v) : v);
    let y0 = ty(ymin), y1 = ty(ymax);
    if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
    if (xmax === xmin) { xmin -= 1; xmax += 1; }
    const px = (x) => PAD.left + ((x - xmin) / (xmax - xmin)) * plotW;
    const py = (y) => PAD.top + plotH - ((ty(y) - y0) / (y1 - y0)) * plotH;
    this.frame = { xmin, xmax, px, py, lines, plotW };

    // Grid and labels.
    ctx.strokeStyle = colors.line; ctx.fillStyle = colors.muted; ctx.lineWidth = 1;
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    for (const t of niceTicks(y0, y1, 5)) {
      const y = PAD.top + plotH - ((t - y0) / (y1 - y0)) * plotH;
      ctx.beginPath(); ctx.moveTo(PAD.left, y); ctx.lineTo(width - PAD.right, y); ctx.stroke();
      ctx.fillText(formatNumber(logY ? Math.pow(10, t) : t), PAD.left - 4, y);
    }
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    const span = xmax - xmin;
    const label = (v) => this.options.x === "time" ? formatTime(v, span) : this.options.x === "relative" ? formatDuration(v) : formatNumber(v);
    const xTicks = this.options.x === "step" ? niceTicks(xmin, xmax, Math.max(2, Math.floor(plotW / 80))).filter(Number.isInteger)
      : niceTicks(xmin, xmax, Math.max(2, Math.floor(plotW / 110)));
    for (const t of xTicks) ctx.fillText(label(t), px(t), PAD.top + plotH + 5);

    // Lines: a faint raw line under the smoothed one when smoothing is on.
    ctx.save();
    ctx.beginPath(); ctx.rect(PAD.left, PAD.top, plotW, plotH); ctx.clip();
    for (const l of lines) {
      const color = colorFor(l.s.runId);
      const passes = this.options.smooth > 0 ? [[l.raw, 0.25, 1], [l.ys, 1, 1.6]] : [[l.ys, 1, 1.5]];
      for (const [values, alpha, lineWidth] of passes) {
        ctx.globalAlpha = alpha; ctx.strokeStyle = color; ctx.lineWidth = lineWidth;
        ctx.beginPath();
        for (let i = 0; i < values.length; i++) {
          const x = px(l.xs[i]), y = py(values[i]);
          if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
        }
        if (values.length === 1) { ctx.fillStyle = color; ctx.fillRect(px(l.xs[0]) - 2, py(values[0]) - 2, 4, 4); }
        ctx.stroke();
      }
    }
    ctx.restore();
    ctx.globalAlpha = 1;
    if (this.drag && Math.abs(this.drag.to - this.drag.from) > 2) {
      ctx.fillStyle = colors.accent; ctx.globalAlpha = 0.15;
      ctx.fillRect(Math.min(this.drag.from, this.drag.to), PAD.top, Math.abs(this.drag.to - this.drag.from), plotH);
      ctx.globalAlpha = 1;
    }
  }

  hover(e) {
    if (this.drag) { this.drag.to = this.offsetX(e); this.draw(); return; }
    const f = this.frame;
    if (!f) return;
    const mx = this.offsetX(e);
    const x = f.xmin + ((mx - PAD.left) / f.plotW) * (f.xmax - f.xmin);
    const rows = [];
    for (const l of f.lines) {
      if (!l.xs.length) continue;
      let lo = 0, hi = l.xs.length - 1;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (l.xs[mid] < x) lo = mid + 1; else hi = mid; }
      if (lo > 0 && Math.abs(l.xs[lo - 1] - x) < Math.abs(l.xs[lo] - x)) lo--;
      const p = l.pts[lo];
      rows.push(`${l.s.name}: ${formatNumber(l.ys[lo])} (step ${p[0]})`);
    }
    if (rows.length) showTooltip(rows.join("\n"), e.clientX, e.clientY); else hideTooltip();
  }

  endDrag(e) {
    const drag = this.drag;
    this.drag = null;
    const f = this.frame;
    if (!drag || !f || Math.abs(drag.to - drag.from) < 6 || !this.onZoom) { this.draw(); return; }
    const toX = (m) => f.xmin + ((m - PAD.left) / f.plotW) * (f.xmax - f.xmin);
    let a = toX(Math.min(drag.from, drag.to)), b = toX(Math.max(drag.from, drag.to));
    // Relative time is shown, wall time is what the server thins along.
    if (this.options.x === "relative" && this.series[0]) { a += this.series[0].start; b += this.series[0].start; }
    this.onZoom(Math.floor(a), Math.ceil(b));
  }
}

/** A scatter plot: points [{x, y, label, color}]; x may be categorical (strings). */
export function drawScatter(canvas, points, xLabel, yLabel) {
  const { ctx, width, height } = setupCanvas(canvas);
  const colors = themeColors(canvas);
  ctx.font = "11px system-ui, sans-serif";
  const pad = { left: 60, right: 14, top: 10, bottom: 40 };
  const plotW = width - pad.left - pad.right, plotH = height - pad.top - pad.bottom;
  const usable = points.filter((p) => p.x !== undefined && p.y !== undefined && isFinite(p.y));
  const numeric = usable.every((p) => p.x !== "" && isFinite(Number(p.x)));
  const categories = numeric ? [] : [...new Set(usable.map((p) => String(p.x)))].sort();
  const xv = (p) => (numeric ? Number(p.x) : categories.indexOf(String(p.x)));
  if (!usable.length) {
    ctx.fillStyle = colors.muted; ctx.fillText("No run has both values", pad.left, pad.top + 20);
    return [];
  }
  let xmin = Math.min(...usable.map(xv)), xmax = Math.max(...usable.map(xv));
  let ymin = Math.min(...usable.map((p) => p.y)), ymax = Math.max(...usable.map((p) => p.y));
  if (xmax === xmin) { xmin -= 1; xmax += 1; }
  if (ymax === ymin) { const d = Math.abs(ymin) * 0.1 || 1; ymin -= d; ymax += d; }
  const xr = (xmax - xmin) * 0.06, yr = (ymax - ymin) * 0.08;
  xmin -= xr; xmax += xr; ymin -= yr; ymax += yr;
  const px = (x) => pad.left + ((x - xmin) / (xmax - xmin)) * plotW;
  const py = (y) => pad.top + plotH - ((y - ymin) / (ymax - ymin)) * plotH;
  ctx.strokeStyle = colors.line; ctx.fillStyle = colors.muted;
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const t of niceTicks(ymin, ymax, 5)) { ctx.beginPath(); ctx.moveTo(pad.left, py(t)); ctx.lineTo(width - pad.right, py(t)); ctx.stroke(); ctx.fillText(formatNumber(t), pad.left - 4, py(t)); }
  ctx.textAlign = "center"; ctx.textBaseline = "top";
  if (numeric) for (const t of niceTicks(xmin, xmax, Math.max(2, Math.floor(plotW / 80)))) ctx.fillText(formatNumber(t), px(t), pad.top + plotH + 4);
  else categories.forEach((c, i) => ctx.fillText(c.length > 14 ? c.slice(0, 13) + "…" : c, px(i), pad.top + plotH + 4));
  ctx.fillStyle = colors.fg;
  ctx.fillText(xLabel, pad.left + plotW / 2, height - 14);
  ctx.save(); ctx.translate(12, pad.top + plotH / 2); ctx.rotate(-Math.PI / 2); ctx.fillText(yLabel, 0, 0); ctx.restore();
  const placed = usable.map((p) => ({ ...p, cx: px(xv(p)), cy: py(p.y) }));
  for (const p of placed) {
    ctx.fillStyle = p.color; ctx.beginPath(); ctx.arc(p.cx, p.cy, 5, 0, 2 * Math.PI); ctx.fill();
  }
  return placed;
}

export function attachScatterHover(canvas, getPlaced) {
  canvas.addEventListener("mousemove", (e) => {
    const r = canvas.getBoundingClientRect(), mx = e.clientX - r.left, my = e.clientY - r.top;
    const near = getPlaced().find((p) => Math.hypot(p.cx - mx, p.cy - my) < 7);
    if (near) showTooltip(`${near.label}: ${near.x}, ${formatNumber(near.y)}`, e.clientX, e.clientY); else hideTooltip();
  });
  canvas.addEventListener("mouseleave", hideTooltip);
}
