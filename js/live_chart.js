// The Monitor's live charts: GPU utilization and memory per GPU, host CPU and RAM, drawn with
// plotly.js and fed by columnar deltas (see colab_panel/widgets/live_chart.py for the design).
//
// Data reaches the page one of three ways (the model's `transport`):
//   "comm": the kernel pushes {type: "delta"} messages from its sampler thread;
//   "http": (Colab) Colab drops widget messages sent from background threads
//           (googlecolab/colabtools#3373), so the view shows the chart as an iframe document
//           served by the kernel's loopback endpoint through Colab's port proxy
//           (google.colab.kernel.proxyPort(port, {cache: false})), the way TensorBoard does;
//           that page (chart_frame.js) runs this same code with transport "poll". When the
//           frame cannot load (no proxy, an untrusted output, a refused proxy) the view says
//           so and draws what the kernel sends from its main thread, whenever it is idle.
//   "poll": inside that frame: poll the frame's own origin (same-origin requests only).
// Every widget view first says "hello"; the kernel answers with the rows of the current
// window (and with plotly.js, once per page, when the page has none).
//
// Test hooks on the root element: data-rows (rows received), data-points (rows drawn into
// the charts; with a live frame, the frame's), data-plotly ("waiting" | "loaded" | "failed"),
// data-transport, data-polls, data-frame ("loading" | "live" | "failed" | "untrusted"),
// data-problem (the sentence shown, if any).
// Timing marks (performance.now() in ms, for benchmarks): data-t-render, -hello, -snapshot,
// -visible, -plotted, and the page's data-t-page-model, -inflated, -evaluating, -evaluated.

const MAX_ROWS = 3600; // what the kernel's history holds (1 h at 1 Hz)
const WARN_SHARE = 0.8;
const FULL_SHARE = 0.9;
// Colours are the theme's (js/theme.css, live_chart.css): CSS values here, resolved to what plotly
// can read by cssColor() when drawn, so the charts follow JupyterLab's or Colab's light and dark.
const COLORS = [1, 2, 3, 4, 5, 6].map((n) => `var(--cp-series-${n})`);
const HOST_COLORS = { cpu: "var(--cp-fg-muted)", ram: "var(--cp-accent-hue)" };
const GB = 1024 ** 3;
const PLOT_HEIGHT = 180;

// ---- timing marks (performance.now(), ms) for the first-paint breakdown -------------------------
// Page-wide marks (the bundle loads once per page) live in window.__colabPanelMarks; each view
// copies them onto its root as data-t-<name> when it first draws, next to its own marks.

function pageMark(name) {
  const marks = (window.__colabPanelMarks = window.__colabPanelMarks || {});
  if (marks[name] === undefined) marks[name] = Math.round(performance.now());
}

// ---- plotly.js, loaded once per page ----------------------------------------------------------

function plotlyState() {
  if (!window.__colabPanelPlotly) {
    let resolve;
    const promise = new Promise((r) => (resolve = r));
    window.__colabPanelPlotly = { promise, resolve, requestedAt: 0 };
  }
  return window.__colabPanelPlotly;
}

function havePlotly() {
  return Boolean(window.Plotly && window.Plotly.extendTraces && window.Plotly.newPlot);
}

async function bufferText(view, gzipped) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  pageMark("bundle");
  if (!gzipped) return new TextDecoder().decode(bytes);
  // Write the bytes in directly: a Blob's stream reads through the browser process, and while
  // the page is busy creating the panel's widgets that took 100-250 ms instead of ~10.
  const inflate = new DecompressionStream("gzip");
  const writer = inflate.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const text = await new Response(inflate.readable).text();
  pageMark("inflated");
  return text;
}

function evaluatePlotly(source) {
  // plotly.min.js is UMD: given a `module` it exports there (and sets window.Plotly itself)
  // instead of calling an AMD `define` that some notebook pages carry.
  try {
    const module = { exports: {} };
    new Function("module", "exports", "define", source)(module, module.exports, undefined);
    if (!window.Plotly) window.Plotly = module.exports;
    return Promise.resolve();
  } catch (error) {
    if (!(error instanceof EvalError)) return Promise.reject(error);
  }
  // A page whose CSP forbids eval may still allow blob: scripts.
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
    const script = document.createElement("script");
    const define = window.define;
    window.define = undefined;
    script.src = url;
    script.onload = () => { window.define = define; URL.revokeObjectURL(url); resolve(); };
    script.onerror = () => { window.define = define; reject(new Error("plotly.js did not load")); };
    document.head.appendChild(script);
  });
}

// The bundle in the widget's state (Colab always; elsewhere the kernel's first chart). Once per
// page: `inflateEmbedded` as soon as the model exists (before any view renders; the work is
// mostly off the main thread), `installEmbedded` once the panel has painted (evaluating plotly.js
// holds the main thread ~0.1 s: done earlier, it held back the panel's first paint by as much).
function inflateEmbedded(model) {
  const state = plotlyState();
  const gz = model.get("plotly_gz");
  if (!state.source && !havePlotly() && gz && gz.byteLength && typeof DecompressionStream !== "undefined") {
    state.requestedAt = Date.now();
    pageMark("model");
    state.source = bufferText(asView(gz), true);
    state.source.catch(() => {});
  }
  return state.source || null;
}

function installEmbedded(model) {
  const state = plotlyState();
  if (!state.embedded && !havePlotly() && inflateEmbedded(model)) {
    state.embedded = (async () => {
      const source = await state.source;
      if (!havePlotly()) { pageMark("evaluating"); await evaluatePlotly(source); pageMark("evaluated"); }
      state.resolve(window.Plotly);
    })();
    // Failed: forget it, so that views ask the kernel instead.
    state.embedded.catch(() => { state.embedded = state.source = null; state.requestedAt = 0; });
  }
  return state.embedded || null;
}

async function installPlotly(view, gzipped) {
  const state = plotlyState();
  if (!havePlotly()) {
    await evaluatePlotly(await bufferText(view, gzipped));
    pageMark("evaluated");
  }
  state.resolve(window.Plotly);
}

// ---- the rows this view holds ----------------------------------------------------------------

class Rows {
  constructor() {
    this.t = [];
    this.series = {};
    this.markers = [];
    this.markerKeys = new Set();
    this.received = 0;
  }

  get lastT() { return this.t.length ? this.t[this.t.length - 1] : null; }

  // Adds rows newer than what we hold (returns how many) and older ones in front (sets
  // `this.prepended`); rows in between are ones we already have.
  merge(data) {
    const times = data.t || [];
    const series = data.series || {};
    const first = this.t.length ? this.t[0] : Infinity;
    const last = this.lastT ?? -Infinity;
    const older = [];
    const newer = [];
    times.forEach((t, i) => { if (t > last) newer.push(i); else if (t < first) older.push(i); });
    const columns = new Set([...Object.keys(this.series), ...Object.keys(series)]);
    for (const name of columns) {
      if (!this.series[name]) this.series[name] = new Array(this.t.length).fill(null);
      const incoming = series[name] || [];
      const pick = (i) => (incoming[i] === undefined ? null : incoming[i]);
      this.series[name] = [...older.map(pick), ...this.series[name], ...newer.map(pick)];
    }
    this.t = [...older.map((i) => times[i]), ...this.t, ...newer.map((i) => times[i])];
    for (const m of data.markers || []) {
      const key = `${m.t}|${m.label}`;
      if (!this.markerKeys.has(key)) { this.markerKeys.add(key); this.markers.push(m); }
    }
    const excess = this.t.length - MAX_ROWS;
    if (excess > 0) {
      this.t.splice(0, excess);
      for (const name in this.series) this.series[name].splice(0, excess);
    }
    this.received += newer.length + older.length;
    this.prepended = older.length > 0;
    return newer.length;
  }

  value(name, i) {
    const column = this.series[name];
    return column && i < column.length ? column[i] : null;
  }
}

// ---- what each chart shows -------------------------------------------------------------------

function share(used, total) {
  return used == null || !total ? null : used / total;
}

function level(s) {
  return s == null ? "" : s > FULL_SHARE ? "bad" : s > WARN_SHARE ? "warn" : "";
}

function fmtBytes(n) {
  if (n == null) return "n/a";
  return n >= GB ? `${(n / GB).toFixed(1)} GB` : `${Math.round(n / 1024 ** 2)} MB`;
}

function fmt(v, unit, digits = 0) {
  return v == null ? "n/a" : `${Number(v).toFixed(digits)}${unit}`;
}

// One chart spec per plot: traces as (name, colour, value-of-row-i) plus y-axis settings.
function chartSpecs(meta) {
  const gpus = (meta && meta.gpus) || [];
  const specs = [];
  if (gpus.length) {
    specs.push({
      key: "gpu-util", title: "GPU utilization", bands: false,
      traces: gpus.map((g, k) => ({
        name: `GPU ${g.index}`, color: COLORS[k % COLORS.length],
        y: (rows, i) => rows.value(`gpu${g.index}.utilization_gpu_percent`, i),
      })),
    });
    specs.push({
      key: "gpu-mem", title: "GPU memory used", bands: true,
      traces: gpus.map((g, k) => ({
        name: gpus.length > 2 ? `GPU ${g.index}` : `GPU ${g.index} (${fmtBytes(g.memory_total_bytes)})`,
        color: COLORS[k % COLORS.length],
        y: (rows, i) => pct(rows.value(`gpu${g.index}.memory_used_bytes`, i), g.memory_total_bytes),
      })),
    });
  }
  const ramTotal = meta && meta.ram_total_bytes;
  specs.push({
    key: "host", title: "Host CPU and RAM", bands: true,
    traces: [
      { name: "CPU", color: HOST_COLORS.cpu, y: (rows, i) => rows.value("cpu_percent", i) },
      { name: `RAM (${fmtBytes(ramTotal)})`, color: HOST_COLORS.ram,
        y: (rows, i) => pct(rows.value("ram_used_bytes", i), ramTotal) },
    ],
  });
  return specs;
}

function pct(used, total) {
  const s = share(used, total);
  return s == null ? null : Math.round(s * 1000) / 10;
}

// Plotly reads plain millisecond numbers as UTC; shift them so the axis shows local time.
function xOf(t) {
  const ms = t * 1000;
  return ms - new Date(ms).getTimezoneOffset() * 60000;
}

function thresholdBands(el) {
  const band = (y0, y1, color) => ({
    type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0, y1, layer: "below",
    line: { width: 0 }, fillcolor: color,
  });
  return [band(WARN_SHARE * 100, FULL_SHARE * 100, cssColor(el, "var(--cp-warn-hue)", 0.14)),
          band(FULL_SHARE * 100, 100, cssColor(el, "var(--cp-bad-hue)", 0.14))];
}

function markerShapes(el, markers, from) {
  const strong = cssColor(el, "var(--cp-fg)");
  const soft = cssColor(el, "var(--cp-fg-muted)");
  const shapes = [];
  const annotations = [];
  for (const m of markers) {
    if (m.t < from) continue;
    const start = m.label.startsWith("▶");
    const x = xOf(m.t);
    shapes.push({ type: "line", xref: "x", x0: x, x1: x, yref: "paper", y0: 0, y1: 1,
                  line: { color: start ? strong : soft, width: 1, dash: start ? "solid" : "dot" } });
    if (start) {
      annotations.push({ x, y: 1, xref: "x", yref: "paper", text: m.label.slice(2), showarrow: false,
                         xanchor: "left", yanchor: "top", font: { size: 10, color: strong } });
    }
  }
  return { shapes, annotations };
}

// A CSS colour (a theme variable, color-mix() included) as "rgba(r,g,b,a)", which plotly reads:
// the page computes it on a probe inside `el`, a 1-pixel canvas turns any colour syntax to numbers.
function cssColor(el, value, alpha = 1) {
  const probe = document.createElement("span");
  probe.style.color = value;
  probe.style.display = "none";
  el.appendChild(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  const canvas = (cssColor.canvas = cssColor.canvas || document.createElement("canvas"));
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.clearRect(0, 0, 1, 1);
  ctx.fillStyle = computed;
  ctx.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
  return `rgba(${r},${g},${b},${Math.round((a / 255) * alpha * 1000) / 1000})`;
}

// ---- the view --------------------------------------------------------------------------------

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "cp-live-chart";
  root.innerHTML = `<div class="cp-lc-now"></div><div class="cp-lc-note"></div><div class="cp-lc-grid"></div>` +
    `<div class="cp-lc-framebox"></div>`;
  el.appendChild(root);
  const nowEl = root.querySelector(".cp-lc-now");
  const noteEl = root.querySelector(".cp-lc-note");
  const grid = root.querySelector(".cp-lc-grid");
  const frameBox = root.querySelector(".cp-lc-framebox");

  const rows = new Rows();
  let meta = null;
  let charts = null; // [{spec, div}] once drawn
  let drawn = 0; // rows drawn into the charts
  let alive = true;
  let cursor = null; // HTTP: the `until` of the last rows we hold
  let snapshotSeen = false;
  let polls = 0;
  let pollGeneration = 0;
  let problem = "";

  const set = (name, value) => { root.dataset[name] = String(value); };
  // data-t-<name>: when this view first reached each step (see pageMark)
  const mark = (name) => {
    const key = `t${name[0].toUpperCase()}${name.slice(1)}`;
    if (root.dataset[key] === undefined) root.dataset[key] = String(Math.round(performance.now()));
  };
  const copyPageMarks = () => {
    for (const [name, t] of Object.entries(window.__colabPanelMarks || {})) {
      root.dataset[`tPage${name[0].toUpperCase()}${name.slice(1)}`] = String(t);
    }
  };
  mark("render");
  set("rows", 0); set("points", 0); set("polls", 0);
  set("plotly", havePlotly() ? "loaded" : "waiting");
  set("transport", model.get("transport"));

  function note() {
    set("problem", problem);
    const parts = [];
    if (problem) parts.push(`<span class="cp-lc-problem">${escapeHtml(problem)}</span>`);
    if (root.dataset.plotly === "waiting") {
      parts.push("Loading the chart library… (it arrives when the kernel is idle; numbers above stay live)");
    }
    if (model.get("paused")) parts.push("Paused: no new samples until you resume.");
    noteEl.innerHTML = parts.join(" ");
    noteEl.style.display = parts.length ? "" : "none";
  }

  function hello(needTicket = false) {
    if (model.get("transport") === "poll") return;
    const state = plotlyState();
    const needPlotly = !havePlotly() && Date.now() - state.requestedAt > 15000;
    if (needPlotly) state.requestedAt = Date.now();
    mark("hello");
    model.send({ type: "hello", need_plotly: needPlotly, window_s: model.get("window_s"),
                 gzip: typeof DecompressionStream !== "undefined", need_ticket: needTicket });
  }

  // -- the numbers strip: live even before plotly.js has arrived --
  function renderNow() {
    const i = rows.t.length - 1;
    const chips = [];
    const chip = (text, lvl = "") => chips.push(`<span class="cp-lc-chip${lvl ? " cp-lc-" + lvl : ""}">${text}</span>`);
    const gpus = (meta && meta.gpus) || [];
    for (const g of gpus) {
      if (g.lost) { chip(`GPU ${g.index}: lost`, "bad"); continue; }
      const used = rows.value(`gpu${g.index}.memory_used_bytes`, i);
      const s = share(used, g.memory_total_bytes);
      // With many GPUs the header already names them; the chips keep to the numbers.
      const name = gpus.length > 2 ? "" : ` ${escapeHtml(g.name || "")}`;
      chip(`<b>GPU ${g.index}</b>${name} · ${fmt(rows.value(`gpu${g.index}.utilization_gpu_percent`, i), " %")}` +
           ` · ${fmtBytes(used)} / ${fmtBytes(g.memory_total_bytes)}` +
           ` · ${fmt(rows.value(`gpu${g.index}.temperature_c`, i), " °C")} · ${fmt(rows.value(`gpu${g.index}.power_w`, i), " W")}`,
           level(s));
    }
    if (i >= 0) {
      chip(`<b>CPU</b> ${fmt(rows.value("cpu_percent", i), " %")}`);
      const ramUsed = rows.value("ram_used_bytes", i);
      const ramTotal = meta && meta.ram_total_bytes;
      chip(`<b>RAM</b> ${fmtBytes(ramUsed)} / ${fmtBytes(ramTotal)}`, level(share(ramUsed, ramTotal)));
      chip(`<b>This kernel</b> ${fmtBytes(rows.value("kernel_rss_bytes", i))}`);
      const torch = rows.value("torch_allocated_bytes", i);
      if (torch != null) chip(`<b>torch</b> ${fmtBytes(torch)} allocated`);
    }
    nowEl.innerHTML = chips.join("");
  }

  // -- plotly charts --
  // The chosen window once there is that much history; before that, what there is (at least
  // a minute), so a young session does not draw a sliver at the right edge.
  function xRange() {
    const last = rows.lastT ?? Date.now() / 1000;
    const first = rows.t.length ? rows.t[0] : last;
    const span = Math.min(model.get("window_s"), Math.max(last - first, 60));
    return [xOf(last - span), xOf(last)];
  }

  // Each chart's title and key are HTML above the plot, not plotly's title and legend: those
  // take plotly ~40 ms per chart to lay out, most of the time to the first chart.
  function layoutFor(spec) {
    const { shapes, annotations } = markerShapes(el, rows.markers, (rows.lastT ?? 0) - model.get("window_s"));
    const axis = cssColor(el, "var(--cp-border)");
    return {
      height: PLOT_HEIGHT, margin: { l: 44, r: 12, t: 8, b: 28 }, showlegend: false,
      font: { color: cssColor(el, "var(--cp-fg-muted)") },
      xaxis: { type: "date", range: xRange(), showgrid: false, tickfont: { size: 10 }, linecolor: axis },
      yaxis: { range: [0, 105], ticksuffix: "%", fixedrange: true, tickfont: { size: 10 },
               gridcolor: cssColor(el, "var(--cp-border-soft)"), zerolinecolor: axis },
      shapes: [...(spec.bands ? thresholdBands(el) : []), ...shapes], annotations,
      hoverlabel: { bgcolor: cssColor(el, "var(--cp-bg)"), font: { color: cssColor(el, "var(--cp-fg)") },
                    bordercolor: axis },
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", hovermode: "x unified",
    };
  }

  function headFor(spec) {
    const head = document.createElement("div");
    head.className = "cp-lc-head";
    const keys = spec.traces.map((tr) =>
      `<span class="cp-lc-key"><i style="background:${tr.color}"></i>${escapeHtml(tr.name)}</span>`);
    head.innerHTML = `<span class="cp-lc-title">${escapeHtml(spec.title)}</span>${keys.join("")}`;
    return head;
  }

  function tracesFor(spec) {
    const from = (rows.lastT ?? 0) - model.get("window_s");
    const indices = rows.t.map((t, i) => i).filter((i) => rows.t[i] >= from);
    return spec.traces.map((tr) => ({
      type: "scatter", mode: "lines", name: tr.name, line: { color: cssColor(el, tr.color), width: 1.6 },
      x: indices.map((i) => xOf(rows.t[i])), y: indices.map((i) => tr.y(rows, i)),
      hovertemplate: "%{y:.1f} %<extra>%{fullData.name}</extra>",
    }));
  }

  // Charts are drawn once the view is shown (the Monitor tab may be built hidden): a plot drawn
  // at zero width must be drawn again at its size, which costs as much as the first time.
  let drawWhenShown = false;
  function drawAll() {
    if (!havePlotly() || !meta || !alive) return;
    drawWhenShown = !root.offsetWidth;
    if (drawWhenShown) return;
    const Plotly = window.Plotly;
    if (charts) charts.forEach((c) => Plotly.purge(c.div));
    grid.innerHTML = "";
    const specs = chartSpecs(meta);
    charts = specs.map((spec) => {
      const box = document.createElement("div");
      box.className = `cp-lc-chart cp-lc-chart-${spec.key}`;
      const div = document.createElement("div");
      div.className = `cp-lc-plot cp-lc-plot-${spec.key}`;
      box.append(headFor(spec), div);
      grid.appendChild(box);
      Plotly.newPlot(div, tracesFor(spec), layoutFor(spec), { displayModeBar: false, responsive: false });
      return { spec, div };
    });
    mark("plotted");
    copyPageMarks();
    // No GPU: the Monitor tab says why in one line above (views/monitor.py), and the host chart
    // takes the whole width.
    drawn = rows.t.filter((t) => t >= (rows.lastT ?? 0) - model.get("window_s")).length;
    setPoints(drawn);
  }

  function extend(newRows, markersChanged) {
    if (!charts || !newRows) return;
    const Plotly = window.Plotly;
    const start = rows.t.length - newRows;
    const maxPoints = Math.min(MAX_ROWS, Math.ceil(model.get("window_s") / 0.5) + 2);
    for (const { spec, div } of charts) {
      const xs = [];
      const ys = [];
      for (const tr of spec.traces) {
        const x = [];
        const y = [];
        for (let i = start; i < rows.t.length; i++) { x.push(xOf(rows.t[i])); y.push(tr.y(rows, i)); }
        xs.push(x); ys.push(y);
      }
      Plotly.extendTraces(div, { x: xs, y: ys }, spec.traces.map((_, k) => k), maxPoints);
      const update = { "xaxis.range": xRange() };
      if (markersChanged) Object.assign(update, (({ shapes, annotations }) => ({ shapes, annotations }))(layoutFor(spec)));
      Plotly.relayout(div, update);
    }
    drawn += newRows;
    setPoints(drawn);
  }

  function absorb(data) {
    const markersBefore = rows.markers.length;
    const newRows = rows.merge(data);
    set("rows", rows.received);
    if (rows.lastT != null) set("lastT", rows.lastT);
    renderNow();
    if (rows.prepended || !charts) drawAll();
    else extend(newRows, rows.markers.length !== markersBefore);
  }

  function setMeta(next) {
    const changed = JSON.stringify(next) !== JSON.stringify(meta);
    meta = next;
    if (changed) { renderNow(); drawAll(); }
  }

  // -- messages from the kernel --
  async function onMessage(msg, buffers) {
    try {
      if (msg.type === "ticket") { openFrame(msg.ticket); return; }
      // A live frame draws the chart; what the kernel sends is for when it cannot.
      if (frameState === "live" && (msg.type === "snapshot" || msg.type === "delta")) return;
      if (msg.type === "plotly") {
        await installPlotly(buffers[0], msg.gzip);
        return;
      }
      if (msg.type === "snapshot") {
        mark("snapshot");
        snapshotSeen = true;
        setMeta(msg.meta);
        absorb(msg.data);
        if (msg.data.until != null && (cursor == null || msg.data.until > cursor)) cursor = msg.data.until;
      } else if (msg.type === "meta") {
        setMeta(msg.meta);
      } else if (msg.type === "delta") {
        absorb(msg.data);
      } else if (msg.type === "error") {
        problem = msg.message; note();
      }
    } catch (error) {
      problem = `The chart failed: ${error}`;
      if (msg.type === "plotly") set("plotly", "failed");
      note();
    }
  }

  // -- HTTP transport: poll the kernel's loopback endpoint --
  function metaFromLatest(latest) {
    return {
      gpus: (latest.gpus || []).map((g) => ({ index: g.index, name: g.name,
        memory_total_bytes: g.memory_total_bytes, lost: g.lost })),
      ram_total_bytes: latest.host ? latest.host.ram_total_bytes : null,
      gpu_status: latest.gpu_status,
    };
  }

  // "poll" (inside the chart frame): same-origin requests, the page's session key in a header.
  async function pollLoop(generation) {
    const headers = { "X-Colab-Panel-Token": model.get("session") };
    let failures = 0;
    const current = () => alive && generation === pollGeneration;
    while (current()) {
      const latest = polls % 5 === 0 ? 1 : 0; // totals and names change rarely
      try {
        const response = await fetch(`samples?since=${cursor ?? ""}&latest=${latest}`,
                                     { cache: "no-store", headers });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        if (!current()) return;
        polls += 1; set("polls", polls);
        if (data.latest) setMeta(metaFromLatest(data.latest));
        absorb(data);
        if (data.until != null) cursor = data.until;
        if (failures) { failures = 0; problem = ""; note(); }
      } catch (error) {
        failures += 1;
        if (failures >= 3) {
          problem = "The monitor's endpoint stopped answering (the panel was closed or the kernel restarted).";
          note();
        }
      }
      const every = Math.min(Math.max(model.get("interval_s") * 1000, 250), 5000);
      await sleep(every * Math.min(2 ** failures, 20));
    }
  }

  // -- "http" (Colab): the chart as an iframe document served by the kernel's endpoint --
  let frame = null; // {el, origin}
  let frameState = "";
  let frameTimer = null;
  const FRAME_WAIT_MS = 15000;

  function setPoints(n) {
    if (frameState !== "live") set("points", n);
  }

  function setFrameState(state) {
    frameState = state;
    set("frame", state);
    const live = state === "live";
    nowEl.style.display = live ? "none" : "";
    grid.style.display = live ? "none" : "";
    if (frame) frame.el.style.display = state === "failed" || state === "untrusted" ? "none" : "";
  }

  function frameFailed(state, sentence) {
    clearTimeout(frameTimer);
    if (frame) { frame.el.remove(); frame = null; }
    setFrameState(state);
    problem = `${sentence} Until then the chart updates whenever the kernel is idle.`;
    note();
    if (charts == null) drawAll();
  }

  // The ticket in the widget's state opens the frame once per page; a later view (a re-shown
  // output, a reloaded page) asks the kernel for a new one.
  function takeTicket() {
    const ticket = model.get("frame_ticket");
    const used = (window.__colabPanelTickets = window.__colabPanelTickets || new Set());
    if (!ticket || used.has(ticket)) return null;
    used.add(ticket);
    return ticket;
  }

  async function frameBase(port) {
    const colab = window.google && window.google.colab;
    const kernel = colab && colab.kernel;
    if (kernel && kernel.accessAllowed === false) {
      return { state: "untrusted", sentence: "Colab does not let this output reach the kernel " +
               "(an output of a notebook you have not run yourself): run the panel's cell to allow it." };
    }
    if (kernel && kernel.proxyPort) {
      try {
        // cache: false -- `true` would make Colab keep GET answers in the notebook.
        const url = String(await kernel.proxyPort(port, { cache: false }));
        return { url: url.endsWith("/") ? url : `${url}/` };
      } catch (error) {
        return { state: "failed", sentence: `Colab's port proxy refused the monitor's endpoint (${error}).` };
      }
    }
    if (colab) {
      // A Colab runtime shown by another front end (VS Code): no port proxy, so the kernel
      // switches this chart to its widget channel.
      model.send({ type: "no_proxy" });
      return { state: "failed", sentence: "This front end has no port proxy for live charts." };
    }
    return { url: `http://127.0.0.1:${port}/` }; // the browser shares the kernel's machine
  }

  async function openFrame(ticket) {
    const generation = pollGeneration;
    const port = model.get("endpoint_port");
    if (!alive || model.get("transport") !== "http" || !port || !ticket) return;
    setFrameState("loading");
    const base = await frameBase(port);
    if (!alive || generation !== pollGeneration) return;
    if (!base.url) { frameFailed(base.state, base.sentence); return; }
    if (frame) frame.el.remove();
    const el = document.createElement("iframe");
    el.className = "cp-lc-frame";
    el.title = "Live GPU and host charts";
    el.src = new URL(`chart?ticket=${encodeURIComponent(ticket)}`, base.url).href;
    frame = { el, origin: new URL(el.src).origin };
    frameBox.appendChild(el);
    clearTimeout(frameTimer);
    frameTimer = setTimeout(() => {
      if (alive && frameState === "loading") {
        frameFailed("failed", "The live chart could not reach the kernel through Colab's port proxy.");
      }
    }, FRAME_WAIT_MS);
  }

  function onFrameMessage(event) {
    if (!frame || event.source !== frame.el.contentWindow || !event.data) return;
    const msg = event.data;
    if (msg.type !== "cp-frame") return;
    if (msg.state === "refused") { hello(true); return; }
    if (frameState !== "live") {
      clearTimeout(frameTimer);
      setFrameState("live");
      if (problem) { problem = ""; note(); }
      sendSettings();
    }
    set("points", msg.points); set("rows", msg.rows); set("polls", msg.polls);
    if (msg.last_t) set("lastT", msg.last_t);
    if (msg.height) frame.el.style.height = `${Math.max(msg.height, 60)}px`;
  }

  // What this view shows, told to the kernel (at most every 2 s, when it changed; it arrives
  // when the kernel is idle): notebooks/colab_check.ipynb reads it to check a real Colab.
  let reported = "";
  let reportTimer = null;
  function reportStatus() {
    if (model.get("transport") === "poll" || reportTimer) return;
    reportTimer = setTimeout(() => {
      reportTimer = null;
      if (!alive) return;
      const status = { type: "status", frame: frameState, points: Number(root.dataset.points || 0),
                       last_t: Number(root.dataset.lastT || 0), problem };
      const key = JSON.stringify(status);
      if (key !== reported) { reported = key; model.send(status); }
    }, 2000);
  }
  new MutationObserver(reportStatus).observe(root, { attributes: true });

  function sendSettings() {
    if (!frame) return;
    frame.el.contentWindow.postMessage({ type: "cp-settings", window_s: model.get("window_s"),
                                         interval_s: model.get("interval_s"),
                                         paused: model.get("paused") }, frame.origin);
  }

  function restartPolling() {
    pollGeneration += 1;
    set("transport", model.get("transport"));
    if (model.get("transport") === "poll") pollLoop(pollGeneration);
    if (model.get("transport") === "http") {
      const ticket = takeTicket();
      if (ticket) openFrame(ticket);
      else hello(true);
    } else if (frame) {
      clearTimeout(frameTimer);
      frame.el.remove(); frame = null; setFrameState("");
    }
  }

  // -- wiring --
  const onCustom = (msg, buffers) => { onMessage(msg, buffers); };
  const onWindow = () => { drawAll(); hello(); sendSettings(); };
  const onPaused = () => { note(); sendSettings(); };
  window.addEventListener("message", onFrameMessage);
  model.on("msg:custom", onCustom);
  model.on("change:window_s", onWindow);
  model.on("change:paused", onPaused);
  model.on("change:interval_s", sendSettings);
  model.on("change:transport", restartPolling);
  model.on("change:endpoint_port", restartPolling);

  plotlyState().promise.then(() => {
    if (!alive) return;
    set("plotly", "loaded"); note(); drawAll();
  });
  const resize = new ResizeObserver(() => {
    if (!root.offsetWidth) return;
    mark("visible");
    if (drawWhenShown) drawAll();
    else if (charts && havePlotly()) charts.forEach((c) => c.div.offsetWidth && window.Plotly.Plots.resize(c.div));
  });
  resize.observe(root);

  if (havePlotly()) {
    plotlyState().resolve(window.Plotly);
  } else if (inflateEmbedded(model)) {
    whenIdleOrShown(root, () => {
      const embedded = alive && installEmbedded(model);
      if (embedded) {
        embedded.catch((error) => {
          if (!alive) return;
          problem = `The chart library failed to load: ${error}`; set("plotly", "failed"); note();
        });
      }
    });
  }
  // The kernel's first chart brings the rows it had at creation: draw them without waiting
  // for the answer to "hello" (which merges in whatever came since).
  const first = model.get("first_snapshot");
  if (first && first.meta && first.data) onMessage({ type: "snapshot", ...first }, []);
  note();
  hello();
  restartPolling();

  // The host's theme may change while the chart is shown (JupyterLab's Settings > Theme, the
  // system's dark mode): plotly's colours were resolved when drawn, so draw again. JupyterLab
  // marks <body> before the new theme's stylesheet has loaded, hence the second look.
  const themeKey = () => cssColor(root, "var(--cp-fg)") + cssColor(root, "var(--cp-bg)");
  let drawnTheme = themeKey();
  const onTheme = () => {
    for (const delay of [0, 600]) {
      setTimeout(() => {
        const key = themeKey();
        if (!alive || key === drawnTheme) return;
        drawnTheme = key;
        if (charts) drawAll();
      }, delay);
    }
  };
  const themeWatch = new MutationObserver(onTheme);
  themeWatch.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-name", "class"] });
  const darkScheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  if (darkScheme && darkScheme.addEventListener) darkScheme.addEventListener("change", onTheme);

  return () => {
    alive = false;
    themeWatch.disconnect();
    if (darkScheme && darkScheme.removeEventListener) darkScheme.removeEventListener("change", onTheme);
    pollGeneration += 1;
    clearTimeout(frameTimer);
    clearTimeout(reportTimer);
    window.removeEventListener("message", onFrameMessage);
    if (frame) frame.el.remove();
    resize.disconnect();
    model.off("msg:custom", onCustom);
    model.off("change:window_s", onWindow);
    model.off("change:paused", onPaused);
    model.off("change:interval_s", sendSettings);
    model.off("change:transport", restartPolling);
    model.off("change:endpoint_port", restartPolling);
    if (charts && havePlotly()) charts.forEach((c) => window.Plotly.purge(c.div));
  };
}

function asView(value) {
  if (value instanceof DataView) return value;
  if (value instanceof ArrayBuffer) return new DataView(value);
  return new DataView(value.buffer, value.byteOffset, value.byteLength);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function initialize({ model }) {
  inflateEmbedded(model);
}

// Evaluating plotly.js holds the main thread ~0.1 s. Views render while the rest of the panel
// is still being built (the Monitor tab is built hidden, with the panel), so run `fn` in the
// page's first idle time once `el` is in the page (after the frame that shows the panel), or as
// soon as `el` is shown (the user opened the tab: the chart is what they wait for now), or after
// IDLE_LIMIT_MS at the latest.
const IDLE_LIMIT_MS = 1500;

function urgent(fn) {
  if (window.scheduler && window.scheduler.postTask) window.scheduler.postTask(fn, { priority: "user-blocking" });
  else setTimeout(fn, 0);
}

function whenIdleOrShown(el, fn) {
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    shown.disconnect();
    fn();
  };
  const shown = new ResizeObserver(() => {
    // Shown: this frame paints the tab, then evaluate ahead of whatever else the page has
    // queued by then (a plain timeout here waited 10-80 ms behind JupyterLab's own tasks).
    if (el.offsetWidth) requestAnimationFrame(() => urgent(finish));
  });
  shown.observe(el);
  const idle = window.requestIdleCallback || ((cb) => setTimeout(cb, 50));
  requestAnimationFrame(() => idle(finish, { timeout: IDLE_LIMIT_MS }));
}

export default { initialize, render };
