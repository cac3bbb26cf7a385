// Logbook web UI: the interactive parts of the server-rendered pages. Everything a page shows
// comes from the server as HTML or from its JSON endpoints; values are put into the page with
// textContent, never as markup.
import { LineChart, colorFor, drawScatter, attachScatterHover, formatDuration, formatNumber } from "./charts.js";

const API = "/ajax-api/2.0/mlflow";
const SERIES = "/ajax-api/2.0/logbook/metrics/series";
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `${response.status} ${response.statusText}`);
  return body;
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** Updates one query parameter of the address without a new history entry. */
function setParam(name, value) {
  const url = new URL(location.href);
  if (value === null || value === "" || value === undefined) url.searchParams.delete(name);
  else url.searchParams.set(name, value);
  history.replaceState(null, "", url);
}

// ---- Times and durations -------------------------------------------------------------------

function localizeTimes(root = document) {
  for (const t of $$("time[datetime]", root)) {
    const d = new Date(t.getAttribute("datetime"));
    if (!isNaN(d)) { t.title = t.textContent + " UTC"; t.textContent = d.toLocaleString(); }
  }
}

function tickDurations() {
  const now = Date.now();
  for (const cell of $$(".live-duration[data-start]")) {
    cell.textContent = formatDuration(now - Number(cell.dataset.start));
  }
}

// ---- Selection, tree and keyboard in run and experiment tables ---------------------------

function updateSelection(form) {
  const boxes = $$("tbody input[type=checkbox]", form);
  const count = boxes.filter((b) => b.checked).length;
  for (const b of boxes) b.closest("tr")?.classList.toggle("selected", b.checked);
  for (const button of $$("button[data-min-selected]", form)) {
    const min = Number(button.dataset.minSelected), max = Number(button.dataset.maxSelected || Infinity);
    button.disabled = count < min || count > max;
  }
  const label = $(".selected-count", form);
  if (label) label.textContent = count ? `${count} selected` + (count > 50 ? " (at most 50 can be compared)" : "") : "";
}

function setupSelection(form) {
  form.addEventListener("change", (e) => {
    if (e.target.classList.contains("select-all")) {
      for (const b of $$("tbody input[type=checkbox]", form)) b.checked = e.target.checked;
    }
    updateSelection(form);
  });
  updateSelection(form);
}

function indent(row) {
  const depth = Number(row.dataset.depth || 0);
  const name = $("td.name", row);
  if (name && depth > 4) name.style.paddingLeft = 0.5 + depth * 1.2 + "rem";
}

async function toggleChildren(button) {
  const row = button.closest("tr");
  const table = row.closest("table");
  const depth = Number(row.dataset.depth || 0);
  if (button.getAttribute("aria-expanded") === "true") {
    let next = row.nextElementSibling;
    while (next && Number(next.dataset.depth || 0) > depth) { const gone = next; next = next.nextElementSibling; gone.remove(); }
    button.setAttribute("aria-expanded", "false");
    updateSelection(row.closest("form"));
    return;
  }
  button.disabled = true;
  const url = new URL(table.dataset.childrenUrl, location.href);
  url.searchParams.set("parent", button.dataset.runId);
  url.searchParams.set("depth", depth + 1);
  try {
    const response = await fetch(url);
    const template = document.createElement("template");
    template.innerHTML = await response.text();  // server-rendered rows, values escaped there
    const rows = [...template.content.querySelectorAll("tr")];
    row.after(...rows);
    for (const r of rows) indent(r);
    localizeTimes(row.parentElement);
    button.setAttribute("aria-expanded", "true");
  } finally {
    button.disabled = false;
    updateSelection(row.closest("form"));
  }
}

function setupTable(table) {
  table.addEventListener("click", (e) => {
    const toggle = e.target.closest("button.toggle");
    if (toggle) { e.preventDefault(); toggleChildren(toggle); }
  });
  for (const r of $$("tbody tr", table)) indent(r);
}

function setupKeyboard() {
  const table = $("table.runs") || $("table.experiments");
  if (!table) return;
  let cursor = -1;
  const rows = () => $$("tbody tr[data-run-id], tbody tr[data-experiment-id]", table);
  const move = (delta) => {
    const all = rows();
    if (!all.length) return;
    all[cursor]?.classList.remove("cursor");
    cursor = Math.max(0, Math.min(all.length - 1, cursor + delta));
    all[cursor].classList.add("cursor");
    all[cursor].scrollIntoView({ block: "nearest" });
  };
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea") || e.metaKey || e.ctrlKey || e.altKey) return;
    const row = rows()[cursor];
    switch (e.key) {
      case "j": case "ArrowDown": move(1); break;
      case "k": case "ArrowUp": move(-1); break;
      case "x": case " ": {
        if (!row) return;
        const box = $("input[type=checkbox]", row);
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
        break;
      }
      case "Enter": case "o": { const link = row && $("td.name a", row); if (link) link.click(); else return; break; }
      case "ArrowRight": case "ArrowLeft": {
        const toggle = row && $("button.toggle", row);
        if (toggle && (toggle.getAttribute("aria-expanded") === "true") === (e.key === "ArrowLeft")) toggleChildren(toggle);
        break;
      }
      case "c": { const button = $("#compare-form button[type=submit]"); if (button && !button.disabled) button.click(); else return; break; }
      case "/": { const box = $(".filter input[type=search]"); if (box) box.focus(); break; }
      default: return;
    }
    e.preventDefault();
  });
}

// ---- Search boxes over key-value tables and the column picker ----------------------------

function setupLocalSearch() {
  for (const input of $$(".kv-search")) {
    const rows = $$("tbody tr", input.parentElement);
    input.addEventListener("input", () => {
      const needle = input.value.toLowerCase();
      for (const r of rows) r.hidden = needle && !r.textContent.toLowerCase().includes(needle);
    });
  }
  for (const input of $$(".column-search")) {
    const labels = $$("label", input.form);
    input.addEventListener("input", () => {
      const needle = input.value.toLowerCase();
      for (const l of labels) l.hidden = needle && !l.textContent.toLowerCase().includes(needle);
    });
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") e.preventDefault(); });
  }
}

// ---- Charts ----------------------------------------------------------------------------------

function chartOptions(section) {
  const controls = $(".chart-controls", section);
  return {
    x: $("select[name=x]", controls).value,
    y: $("select[name=y]", controls).value,
    smooth: Number($("input[name=smooth]", controls).value),
  };
}

/** Charts of a section: one per metric key, every run of the section on each. */
class ChartSection {
  constructor(section) {
    this.section = section;
    this.runs = JSON.parse(section.dataset.runs);
    this.charts = new Map();  // key → { chart, figure, series: Map(runId → {points, total}), zoom }
    this.observer = new IntersectionObserver((entries) => {
      for (const entry of entries) if (entry.isIntersecting) { this.observer.unobserve(entry.target); this.load(entry.target); }
    }, { rootMargin: "200px" });
    for (const figure of $$("figure.chart[data-key]", section)) this.observer.observe(figure);
    const controls = $(".chart-controls", section);
    controls.addEventListener("input", (e) => {
      const options = chartOptions(section);
      const output = $("output", controls);
      if (output) output.textContent = options.smooth.toFixed(2);
      setParam(e.target.name, e.target.value === "0" || e.target.value === "step" || e.target.value === "linear" ? null : e.target.value);
      if (e.target.name === "x") {
        // Step and time thin along different axes: fetch again.
        for (const figure of this.charts.keys()) this.reload(figure);
      } else {
        for (const { chart } of this.charts.values()) chart.setOptions(options);
      }
    });
  }

  axis() { return chartOptions(this.section).x === "step" ? "step" : "time"; }

  budget(figure) {
    const width = $("canvas", figure).clientWidth || 500;
    return Math.max(400, Math.min(2000, Math.round(width * 2)));
  }

  async fetchSeries(key, figure, { zoom, afterSteps } = {}) {
    const url = new URL(SERIES, location.href);
    for (const run of this.runs) url.searchParams.append("run_id", run.id);
    url.searchParams.set("metric_key", key);
    url.searchParams.set("x_axis", this.axis());
    url.searchParams.set("max_points", this.budget(figure));
    if (zoom) { url.searchParams.set("min_x", zoom[0]); url.searchParams.set("max_x", zoom[1]); }
    if (afterSteps) for (const step of afterSteps) url.searchParams.append("after_step", step);
    return getJSON(url);
  }

  async load(figure, zoom) {
    const key = figure.dataset.key;
    const note = $(".chart-note", figure);
    let entry = this.charts.get(figure);
    if (!entry) {
      const chart = new LineChart($("canvas", figure), {
        onZoom: (min, max) => this.load(figure, min === null ? null : [min, max]),
      });
      entry = { chart, key, zoom: null, series: new Map() };
      this.charts.set(figure, entry);
    }
    entry.zoom = zoom || null;
    entry.loading = true;
    try {
      const answer = await this.fetchSeries(key, figure, { zoom: entry.zoom });
      entry.series = new Map(answer.series.map((s) => [s.run_id, s]));
      this.redraw(figure);
    } catch (error) {
      note.textContent = "Could not load: " + error.message;
    } finally {
      entry.loading = false;
    }
  }

  reload(figure) { return this.load(figure, null); }

  redraw(figure) {
    const entry = this.charts.get(figure);
    const series = this.runs.filter((r) => entry.series.has(r.id)).map((r) => ({
      runId: r.id, name: r.name, start: r.start, points: entry.series.get(r.id).points,
    }));
    entry.chart.options = chartOptions(this.section);
    entry.chart.setSeries(series);
    const all = [...entry.series.values()];
    const total = all.reduce((n, s) => n + s.total_points, 0);
    const drawn = all.reduce((n, s) => n + s.points.length, 0);
    const nonFinite = all.reduce((n, s) => n + s.non_finite_points, 0);
    const parts = [];
    parts.push(all.some((s) => s.thinned) ? `${drawn.toLocaleString()} of ${total.toLocaleString()} points drawn (every bucket's min and max kept)` : `${total.toLocaleString()} point${total === 1 ? "" : "s"}`);
    if (nonFinite) parts.push(`${nonFinite} NaN/Infinity not drawn`);
    if (entry.chart.hiddenForLog) parts.push(`${entry.chart.hiddenForLog} values ≤ 0 hidden on the log scale`);
    if (entry.zoom) parts.push("zoomed: double-click to reset");
    $(".chart-note", figure).textContent = parts.join(" · ");
    // What is drawn, readable by scripts and tests.
    figure.dataset.series = String(series.length);
    figure.dataset.points = String(drawn);
  }

  /** Only new points travel: each run's series since the last step held. */
  async appendNew() {
    const lastStep = (s) => (s && s.points.length ? Math.max(...s.points.slice(-8).map((p) => p[0])) : null);
    for (const [figure, entry] of this.charts) {
      if (entry.zoom || entry.loading) continue;
      const afterSteps = this.runs.map((r) => lastStep(entry.series.get(r.id)) ?? "-9223372036854775808");
      try {
        const answer = await this.fetchSeries(entry.key, figure, { afterSteps });
        let grew = false;
        for (const s of answer.series) {
          if (!s.total_points) continue;
          if (entry.loading) break;  // a full load started meanwhile and has these points
          const held = entry.series.get(s.run_id);
          if (!held) { entry.series.set(s.run_id, s); grew = true; continue; }
          const after = lastStep(held) ?? -Infinity;
          held.points = held.points.concat(s.points.filter((p) => p[0] > after));
          held.total_points += s.total_points;
          held.non_finite_points += s.non_finite_points;
          held.thinned = held.thinned || s.thinned;
          grew = true;
        }
        const held = [...entry.series.values()].reduce((n, s) => n + s.points.length, 0);
        if (held > 4 * this.budget(figure)) await this.reload(figure);  // thin again on the server
        else if (grew) this.redraw(figure);
      } catch (error) { /* next poll tries again */ }
    }
  }

  addKey(key) {
    if ($$("figure.chart[data-key]", this.section).some((f) => f.dataset.key === key)) return;
    let grid = key.startsWith("system/") ? $("details.system .charts", this.section) : $(".charts", this.section);
    if (!grid) {
      grid = el("div", { class: "charts" });
      $(".charts-empty", this.section)?.remove();
      $(".chart-controls", this.section).after(grid);
    }
    const figure = el("figure", { class: "chart", "data-key": key }, el("figcaption", { text: key }),
      el("canvas", { role: "img", "aria-label": "Chart of " + key }), el("div", { class: "chart-note" }));
    grid.append(figure);
    this.observer.observe(figure);
  }
}

// ---- Live: a RUNNING run updates without a reload ------------------------------------------

function setupLive(header, section) {
  const runId = header.dataset.runId;
  let stopped = false;
  const poll = async () => {
    if (stopped) return;
    if (document.hidden) { setTimeout(poll, 3000); return; }
    try {
      const { run } = await getJSON(`${API}/runs/get?run_id=${encodeURIComponent(runId)}`);
      const status = run.info.status;
      for (const badge of $$(".run-header .status, .facts .status")) {
        badge.textContent = status;
        badge.className = "status " + status.toLowerCase();
      }
      const table = $(".kv.metrics tbody");
      for (const metric of run.data?.metrics || []) {
        let row = table && $$("tr[data-key]", table).find((r) => r.dataset.key === metric.key);
        if (table && !row) {
          $("tr.empty", table)?.remove();
          row = el("tr", { "data-key": metric.key }, el("th", { text: metric.key }), el("td"));
          table.append(row);
        }
        if (row) $("td", row).textContent = formatNumber(Number(metric.value));
        section?.addKey(metric.key);
      }
      await section?.appendNew();
      if (status !== "RUNNING") {
        stopped = true;
        for (const cell of $$(".live-duration")) cell.classList.remove("live-duration");
        if (run.info.end_time) {
          const end = Number(run.info.end_time);
          const ended = $("[data-fact=ended]");
          if (ended) ended.textContent = new Date(end).toLocaleString();
          const duration = $("[data-fact=duration]");
          if (duration) duration.textContent = formatDuration(end - Number(run.info.start_time));
        }
        header.dataset.live = "0";
        return;
      }
    } catch (error) { /* the server may be restarting: keep trying */ }
    setTimeout(poll, 3000);
  };
  setTimeout(poll, 3000);
}

// ---- Artifacts: a tree with previews ------------------------------------------------------

const IMAGE = /\.(png|jpe?g|gif|webp|bmp)$/i;
const TEXT = /(\.(txt|log|md|py|yaml|yml|toml|ini|cfg|sh|swift|xml|html?|svg|js|ts|rst|out|err|conf|lock)|MLmodel|requirements\.txt|Dockerfile)$/i;
const MAX_PREVIEW = 512 * 1024;

function artifactURL(runId, path, download) {
  const url = new URL("/get-artifact", location.href);
  url.searchParams.set("run_uuid", runId);
  url.searchParams.set("path", path);
  if (download) url.searchParams.set("download", "1");
  return url.pathname + url.search;
}

function parseCSV(text, separator) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
      if (rows.length > 500) break;
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

async function preview(pane, runId, file) {
  pane.replaceChildren(el("div", { class: "head" }, el("strong", { text: file.path }),
    el("a", { href: artifactURL(runId, file.path, true), text: "Download" })));
  const body = el("div");
  pane.append(body);
  if (IMAGE.test(file.path)) { body.append(el("img", { src: artifactURL(runId, file.path), alt: file.path })); return; }
  const isJSON = /\.json$/i.test(file.path), isCSV = /\.(csv|tsv)$/i.test(file.path);
  if (!(isJSON || isCSV || TEXT.test(file.path) || (file.file_size || 0) < 64 * 1024)) {
    body.append(el("p", { class: "muted", text: "No preview for this kind of file." }));
    return;
  }
  const response = await fetch(artifactURL(runId, file.path));
  if (!response.ok) { body.append(el("p", { class: "muted", text: `Could not load it (${response.status}).` })); return; }
  let text = await response.text();
  const cut = text.length > MAX_PREVIEW;
  if (cut) text = text.slice(0, MAX_PREVIEW);
  if (isJSON && !cut) { try { text = JSON.stringify(JSON.parse(text), null, 2); } catch { /* shown as it is */ } }
  if (isCSV) {
    const rows = parseCSV(text, /\.tsv$/i.test(file.path) ? "\t" : ",");
    const table = el("table", { class: "grid compact" });
    rows.forEach((cells, i) => {
      table.append(el("tr", {}, ...cells.map((c) => el(i === 0 ? "th" : "td", { text: c }))));
    });
    body.append(el("div", { class: "scroll" }, table));
    if (rows.length > 500 || cut) body.append(el("p", { class: "muted", text: "The first 500 rows; download for the rest." }));
    return;
  }
  body.append(el("pre", { text }));
  if (cut) body.append(el("p", { class: "muted", text: "The first 512 KB; download for the rest." }));
}

async function artifactList(runId, path) {
  const url = `${API}/artifacts/list?run_id=${encodeURIComponent(runId)}` + (path ? `&path=${encodeURIComponent(path)}` : "");
  return (await getJSON(url)).files || [];
}

function artifactItems(root, runId, files, pane) {
  const list = el("ul");
  files.sort((a, b) => (b.is_dir === true) - (a.is_dir === true) || a.path.localeCompare(b.path));
  for (const file of files) {
    const name = file.path.split("/").pop();
    const item = el("li");
    if (file.is_dir) {
      const button = el("button", { type: "button", "aria-expanded": "false", text: "▸ " + name + "/" });
      button.addEventListener("click", async () => {
        if (button.getAttribute("aria-expanded") === "true") {
          item.querySelector("ul")?.remove(); button.setAttribute("aria-expanded", "false"); button.textContent = "▸ " + name + "/";
          return;
        }
        item.append(artifactItems(root, runId, await artifactList(runId, file.path), pane));
        button.setAttribute("aria-expanded", "true"); button.textContent = "▾ " + name + "/";
      });
      item.append(button);
    } else {
      const button = el("button", { type: "button", text: name });
      button.addEventListener("click", () => {
        for (const b of $$("button[aria-current]", root)) b.removeAttribute("aria-current");
        button.setAttribute("aria-current", "true");
        preview(pane, runId, file);
      });
      item.append(button, el("span", { class: "size", text: file.file_size !== undefined ? formatBytes(file.file_size) : "" }));
    }
    list.append(item);
  }
  return list;
}

function formatBytes(n) {
  if (n < 1024) return n + " B";
  if (n < 1048576) return (n / 1024).toFixed(1) + " KB";
  return (n / 1048576).toFixed(1) + " MB";
}

async function setupArtifacts(root) {
  const runId = root.dataset.runId;
  try {
    const files = await artifactList(runId, "");
    if (!files.length) { root.replaceChildren(el("p", { class: "muted", text: "No artifacts." })); return; }
    const pane = el("div", { class: "preview" }, el("p", { class: "muted", text: "Pick a file to preview it." }));
    root.replaceChildren(artifactItems(root, runId, files, pane), pane);
  } catch (error) {
    root.replaceChildren(el("p", { class: "muted", text: "Artifacts cannot be listed here: " + error.message }));
  }
}

// ---- Compare: colours and the scatter plot --------------------------------------------------

function paintSwatches() {
  for (const swatch of $$(".swatch[data-run-id]")) swatch.style.background = colorFor(swatch.dataset.runId);
}

function setupScatter(section) {
  const runs = JSON.parse(section.dataset.points);
  const canvas = $("canvas", section);
  const sx = $("select[name=sx]", section), sy = $("select[name=sy]", section);
  let placed = [];
  const draw = () => {
    const points = runs.map((r) => ({ x: r.values[sx.value], y: r.values[sy.value], label: r.name, color: colorFor(r.id) }));
    placed = drawScatter(canvas, points, sx.selectedOptions[0]?.textContent || "", sy.selectedOptions[0]?.textContent || "");
    $(".chart-note", section).textContent = `${placed.length} of ${runs.length} runs have both values`;
  };
  section.addEventListener("change", (e) => { setParam(e.target.name, e.target.value); draw(); });
  attachScatterHover(canvas, () => placed);
  new ResizeObserver(draw).observe(canvas);
}

// ---- Start -----------------------------------------------------------------------------------

// The links the mlflow client prints (`/#/experiments/1/runs/<id>`, MLflow's UI routes) land here.
const mlflowRoute = location.pathname === "/" && location.hash.match(/^#\/experiments\/(\d+)(?:\/runs\/([0-9a-f]+))?/);
if (mlflowRoute) location.replace(mlflowRoute[2] ? `/runs/${mlflowRoute[2]}` : `/experiments/${mlflowRoute[1]}`);

localizeTimes();
tickDurations();
setInterval(tickDurations, 1000);
for (const form of $$("form.selection")) setupSelection(form);
for (const table of $$("table.runs")) setupTable(table);
setupKeyboard();
setupLocalSearch();
paintSwatches();
const sections = $$(".charts-section").map((s) => new ChartSection(s));
const header = $(".run-header[data-live='1']");
if (header) setupLive(header, sections[0]);
for (const root of $$(".artifacts[data-run-id]")) setupArtifacts(root);
for (const section of $$(".scatter-section")) setupScatter(section);
document.documentElement.dataset.ready = "1";
