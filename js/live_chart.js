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
//
// The parts, in js/live_chart/: rows.js (merging deltas), charts.js (the plotly charts and
// their window), numbers.js (the numbers strip), feeds.js (the three transports),
// plotly_loader.js (plotly.js once per page), format.js, and protocol.js (JSDoc types of what
// the kernel sends). anywidget loads one file: colab_panel/widgets/static.py joins them for the
// widget; the chart frame's page imports them as they are.

import { createCharts, cssColor } from "./live_chart/charts.js";
import { escapeHtml } from "./live_chart/format.js";
import { createFeeds } from "./live_chart/feeds.js";
import { numbersHtml } from "./live_chart/numbers.js";
import { copyPageMarksTo, havePlotly, inflateEmbedded, installEmbedded, plotlyState, whenIdleOrShown } from "./live_chart/plotly_loader.js";
import { Rows } from "./live_chart/rows.js";

/** @typedef {import("./live_chart/protocol.js").ChartModel} ChartModel */
/** @typedef {import("./live_chart/protocol.js").Meta} Meta */
/** @typedef {import("./live_chart/protocol.js").RowData} RowData */

// ---- the view --------------------------------------------------------------------------------

/** @param {{model: ChartModel, el: HTMLElement}} args */
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
  const set = (name, value) => { root.dataset[name] = String(value); };
  // data-t-<name>: when this view first reached each step (see pageMark)
  const mark = (name) => {
    const key = `t${name[0].toUpperCase()}${name.slice(1)}`;
    if (root.dataset[key] === undefined) root.dataset[key] = String(Math.round(performance.now()));
  };
  // What the parts share: the model, the elements, and the state more than one part reads.
  const view = {
    model, root, nowEl, grid, frameBox, rows, set, mark, note,
    copyPageMarks: () => copyPageMarksTo(root),
    meta: /** @type {Meta|null} */ (null),
    alive: true,
    problem: "", // the sentence shown, if any
    frameState: "", // "http": "loading" | "live" | "failed" | "untrusted"
    setPoints(n) {
      if (view.frameState !== "live") set("points", n);
    },
  };
  mark("render");
  set("rows", 0); set("points", 0); set("polls", 0);
  set("plotly", havePlotly() ? "loaded" : "waiting");
  set("transport", model.get("transport"));

  function note() {
    set("problem", view.problem);
    const parts = [];
    if (view.problem) parts.push(`<span class="cp-lc-problem">${escapeHtml(view.problem)}</span>`);
    if (root.dataset.plotly === "waiting") {
      parts.push("Loading the chart library… (it arrives when the kernel is idle; numbers above stay live)");
    }
    if (model.get("paused")) parts.push("Paused: no new samples until you resume.");
    noteEl.innerHTML = parts.join(" ");
    noteEl.style.display = parts.length ? "" : "none";
  }

  // -- the numbers strip: live even before plotly.js has arrived --
  function renderNow() {
    nowEl.innerHTML = numbersHtml(rows, view.meta);
  }

  const charts = createCharts(view);

  /** @param {RowData} data */
  function absorb(data) {
    const markersBefore = rows.markers.length;
    const newRows = rows.merge(data);
    set("rows", rows.received);
    if (rows.lastT != null) set("lastT", rows.lastT);
    renderNow();
    if (rows.prepended || !charts.hasCharts) charts.drawAll();
    else charts.extend(newRows, rows.markers.length !== markersBefore);
  }

  /** @param {Meta} next */
  function setMeta(next) {
    const changed = JSON.stringify(next) !== JSON.stringify(view.meta);
    view.meta = next;
    if (changed) { renderNow(); charts.drawAll(); }
  }

  const feeds = createFeeds(view, { absorb, setMeta, charts });
  const { hello, onMessage, onFrameMessage, sendSettings, restartPolling } = feeds;

  // -- wiring --
  const onCustom = (msg, buffers) => { onMessage(msg, buffers); };
  const onWindow = () => { charts.drawAll(); hello(); sendSettings(); };
  const onPaused = () => { note(); sendSettings(); };
  window.addEventListener("message", onFrameMessage);
  model.on("msg:custom", onCustom);
  model.on("change:window_s", onWindow);
  model.on("change:paused", onPaused);
  model.on("change:interval_s", sendSettings);
  model.on("change:transport", restartPolling);
  model.on("change:endpoint_port", restartPolling);

  plotlyState().promise.then(() => {
    if (!view.alive) return;
    set("plotly", "loaded"); note(); charts.drawAll();
  });
  const resize = new ResizeObserver(() => {
    if (!root.offsetWidth) return;
    mark("visible");
    charts.resized();
  });
  resize.observe(root);

  if (havePlotly()) {
    plotlyState().resolve(window.Plotly);
  } else if (inflateEmbedded(model)) {
    whenIdleOrShown(root, () => {
      const embedded = view.alive && installEmbedded(model);
      if (embedded) {
        embedded.catch((error) => {
          if (!view.alive) return;
          view.problem = `The chart library failed to load: ${error}`; set("plotly", "failed"); note();
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
        if (!view.alive || key === drawnTheme) return;
        drawnTheme = key;
        if (charts.hasCharts) charts.drawAll();
      }, delay);
    }
  };
  const themeWatch = new MutationObserver(onTheme);
  themeWatch.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-name", "class"] });
  const darkScheme = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  if (darkScheme && darkScheme.addEventListener) darkScheme.addEventListener("change", onTheme);

  return () => {
    view.alive = false;
    themeWatch.disconnect();
    if (darkScheme && darkScheme.removeEventListener) darkScheme.removeEventListener("change", onTheme);
    feeds.stop();
    window.removeEventListener("message", onFrameMessage);
    resize.disconnect();
    model.off("msg:custom", onCustom);
    model.off("change:window_s", onWindow);
    model.off("change:paused", onPaused);
    model.off("change:interval_s", sendSettings);
    model.off("change:transport", restartPolling);
    model.off("change:endpoint_port", restartPolling);
    charts.purge();
  };
}

function initialize({ model }) {
  inflateEmbedded(model);
}

export default { initialize, render };
