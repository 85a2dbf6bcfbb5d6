// The plotly charts: one per spec (GPU utilization, GPU memory, host CPU and RAM), drawn whole
// when the view is shown or the window changes, then extended row by row.

import { FULL_SHARE, WARN_SHARE, escapeHtml, fmtBytes, share } from "./format.js";
import { MAX_ROWS } from "./rows.js";
import { havePlotly } from "./plotly_loader.js";

/** @typedef {import("./protocol.js").Meta} Meta */
/** @typedef {import("./rows.js").Rows} Rows */

// Colours are the theme's (js/theme.css, live_chart.css): CSS values here, resolved to what plotly
// can read by cssColor() when drawn, so the charts follow JupyterLab's or Colab's light and dark.
const COLORS = [1, 2, 3, 4, 5, 6].map((n) => `var(--cp-series-${n})`);
const HOST_COLORS = { cpu: "var(--cp-fg-muted)", ram: "var(--cp-accent-hue)" };

// How a CSS colour becomes one plotly reads: `(value, alpha) => string`. The view passes
// cssColor bound to its root; the default keeps the pure functions free of the DOM (Node tests).
const asIs = (value) => value;
const PLOT_HEIGHT = 180;

// One chart spec per plot: traces as (name, colour, value-of-row-i) plus y-axis settings.
/** @param {Meta|null} meta */
export function chartSpecs(meta) {
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
export function xOf(t) {
  const ms = t * 1000;
  return ms - new Date(ms).getTimezoneOffset() * 60000;
}

function thresholdBands(color) {
  const band = (y0, y1, color) => ({
    type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0, y1, layer: "below",
    line: { width: 0 }, fillcolor: color,
  });
  return [band(WARN_SHARE * 100, FULL_SHARE * 100, color("var(--cp-warn-hue)", 0.14)),
          band(FULL_SHARE * 100, 100, color("var(--cp-bad-hue)", 0.14))];
}

function markerShapes(markers, from, color) {
  const strong = color("var(--cp-fg)");
  const soft = color("var(--cp-fg-muted)");
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
// the page computes it on a probe inside `el`, and a 1-pixel canvas turns any colour syntax to numbers.
export function cssColor(el, value, alpha = 1) {
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

// The chosen window once there is that much history; before that, what there is (at least
// a minute), so a young session does not draw a sliver at the right edge.
/** @param {Rows} rows @param {number} windowS */
export function xRange(rows, windowS) {
  const last = rows.lastT ?? Date.now() / 1000;
  const first = rows.t.length ? rows.t[0] : last;
  const span = Math.min(windowS, Math.max(last - first, 60));
  return [xOf(last - span), xOf(last)];
}

// Each chart's title and key are HTML above the plot, not plotly's title and legend: those
// take plotly ~40 ms per chart to lay out, most of the time to the first chart.
export function layoutFor(spec, rows, windowS, color = asIs) {
  const { shapes, annotations } = markerShapes(rows.markers, (rows.lastT ?? 0) - windowS, color);
  const axis = color("var(--cp-border)");
  return {
    height: PLOT_HEIGHT, margin: { l: 44, r: 12, t: 8, b: 28 }, showlegend: false,
    font: { color: color("var(--cp-fg-muted)") },
    xaxis: { type: "date", range: xRange(rows, windowS), showgrid: false, tickfont: { size: 10 }, linecolor: axis },
    yaxis: { range: [0, 105], ticksuffix: "%", fixedrange: true, tickfont: { size: 10 },
             gridcolor: color("var(--cp-border-soft)"), zerolinecolor: axis },
    shapes: [...(spec.bands ? thresholdBands(color) : []), ...shapes], annotations,
    hoverlabel: { bgcolor: color("var(--cp-bg)"), font: { color: color("var(--cp-fg)") }, bordercolor: axis },
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

// The rows of the window (the last `windowS` seconds of what the view holds), one trace per line.
export function tracesFor(spec, rows, windowS, color = asIs) {
  const from = (rows.lastT ?? 0) - windowS;
  const indices = rows.t.map((t, i) => i).filter((i) => rows.t[i] >= from);
  return spec.traces.map((tr) => ({
    type: "scatter", mode: "lines", name: tr.name, line: { color: color(tr.color), width: 1.6 },
    x: indices.map((i) => xOf(rows.t[i])), y: indices.map((i) => tr.y(rows, i)),
    hovertemplate: "%{y:.1f} %<extra>%{fullData.name}</extra>",
  }));
}

// The charts of one view. `view`: {model, root, grid, rows, meta, alive, mark, copyPageMarks,
// setPoints} (see live_chart.js); `meta` and `alive` are read when drawing.
export function createCharts(view) {
  const { model, root, grid, rows, mark, copyPageMarks, setPoints } = view;
  let charts = null; // [{spec, div}] once drawn
  let drawn = 0; // rows drawn into the charts
  const xRangeNow = () => xRange(rows, model.get("window_s"));
  const color = (value, alpha) => cssColor(root, value, alpha);

  // Charts are drawn once the view is shown (the Monitor tab may be built hidden): a plot drawn
  // at zero width must be drawn again at its size, which costs as much as the first time.
  let drawWhenShown = false;
  function drawAll() {
    if (!havePlotly() || !view.meta || !view.alive) return;
    drawWhenShown = !root.offsetWidth;
    if (drawWhenShown) return;
    const Plotly = window.Plotly;
    if (charts) charts.forEach((c) => Plotly.purge(c.div));
    grid.innerHTML = "";
    const specs = chartSpecs(view.meta);
    charts = specs.map((spec) => {
      const box = document.createElement("div");
      box.className = `cp-lc-chart cp-lc-chart-${spec.key}`;
      const div = document.createElement("div");
      div.className = `cp-lc-plot cp-lc-plot-${spec.key}`;
      box.append(headFor(spec), div);
      grid.appendChild(box);
      Plotly.newPlot(div, tracesFor(spec, rows, model.get("window_s"), color),
                    layoutFor(spec, rows, model.get("window_s"), color), { displayModeBar: false, responsive: false });
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
      const update = { "xaxis.range": xRangeNow() };
      if (markersChanged) Object.assign(update, (({ shapes, annotations }) => ({ shapes, annotations }))(layoutFor(spec, rows, model.get("window_s"), color)));
      Plotly.relayout(div, update);
    }
    drawn += newRows;
    setPoints(drawn);
  }

  // Shown or resized: draw what waited for a size, else fit the plots to it.
  function resized() {
    if (drawWhenShown) drawAll();
    else if (charts && havePlotly()) charts.forEach((c) => c.div.offsetWidth && window.Plotly.Plots.resize(c.div));
  }

  function purge() {
    if (charts && havePlotly()) charts.forEach((c) => window.Plotly.purge(c.div));
  }

  return { drawAll, extend, resized, purge, get hasCharts() { return charts != null; } };
}
