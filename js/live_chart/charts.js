// The plotly charts: one per spec (GPU utilization, GPU memory, host CPU and RAM), drawn whole
// when the view is shown or the window changes, then extended row by row.

import { FULL_SHARE, WARN_SHARE, escapeHtml, fmtBytes, share } from "./format.js";
import { MAX_ROWS } from "./rows.js";
import { havePlotly } from "./plotly_loader.js";

/** @typedef {import("./protocol.js").Meta} Meta */
/** @typedef {import("./rows.js").Rows} Rows */

const COLORS = ["#1a73e8", "#e8710a", "#188038", "#a142f4", "#d01884", "#12b5cb", "#f9ab00", "#5f6368"];
const HOST_COLORS = { cpu: "#5f6368", ram: "#1a73e8" };
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

function thresholdBands() {
  const band = (y0, y1, color) => ({
    type: "rect", xref: "paper", x0: 0, x1: 1, yref: "y", y0, y1, layer: "below",
    line: { width: 0 }, fillcolor: color,
  });
  return [band(WARN_SHARE * 100, FULL_SHARE * 100, "rgba(249,171,0,0.12)"),
          band(FULL_SHARE * 100, 100, "rgba(217,48,37,0.12)")];
}

function markerShapes(markers, from) {
  const shapes = [];
  const annotations = [];
  for (const m of markers) {
    if (m.t < from) continue;
    const start = m.label.startsWith("▶");
    const x = xOf(m.t);
    shapes.push({ type: "line", xref: "x", x0: x, x1: x, yref: "paper", y0: 0, y1: 1,
                  line: { color: start ? "#3c4043" : "#9aa0a6", width: 1, dash: start ? "solid" : "dot" } });
    if (start) {
      annotations.push({ x, y: 1, xref: "x", yref: "paper", text: m.label.slice(2), showarrow: false,
                         xanchor: "left", yanchor: "top", font: { size: 10, color: "#3c4043" } });
    }
  }
  return { shapes, annotations };
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
export function layoutFor(spec, rows, windowS) {
  const { shapes, annotations } = markerShapes(rows.markers, (rows.lastT ?? 0) - windowS);
  return {
    height: PLOT_HEIGHT, margin: { l: 44, r: 12, t: 8, b: 28 }, showlegend: false,
    xaxis: { type: "date", range: xRange(rows, windowS), showgrid: false, tickfont: { size: 10 } },
    yaxis: { range: [0, 105], ticksuffix: "%", fixedrange: true, tickfont: { size: 10 }, gridcolor: "#eceff1" },
    shapes: [...(spec.bands ? thresholdBands() : []), ...shapes], annotations,
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
export function tracesFor(spec, rows, windowS) {
  const from = (rows.lastT ?? 0) - windowS;
  const indices = rows.t.map((t, i) => i).filter((i) => rows.t[i] >= from);
  return spec.traces.map((tr) => ({
    type: "scatter", mode: "lines", name: tr.name, line: { color: tr.color, width: 1.6 },
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
      Plotly.newPlot(div, tracesFor(spec, rows, model.get("window_s")), layoutFor(spec, rows, model.get("window_s")), { displayModeBar: false, responsive: false });
      return { spec, div };
    });
    mark("plotted");
    copyPageMarks();
    if (!view.meta.gpus.length) {
      const box = document.createElement("div");
      box.className = "cp-lc-nogpu";
      box.innerHTML = `<b>No GPU charts.</b> ${escapeHtml(view.meta.gpu_status || "No GPU was found.")}<br>` +
        `<span>Host CPU and RAM keep drawing; GPU charts appear on a machine with an NVIDIA GPU.</span>`;
      grid.insertBefore(box, grid.firstChild);
    }
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
      if (markersChanged) Object.assign(update, (({ shapes, annotations }) => ({ shapes, annotations }))(layoutFor(spec, rows, model.get("window_s"))));
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
