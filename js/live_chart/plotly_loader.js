// plotly.js, loaded once per page (window.Plotly): from the widget's state, or from the kernel
// when the page asks; and the page-wide timing marks that say when each step happened.

// ---- timing marks (performance.now(), ms) for the first-paint breakdown -------------------------
// Page-wide marks (the bundle loads once per page) live in window.__colabPanelMarks; each view
// copies them onto its root as data-t-<name> when it first draws, next to its own marks.

export function pageMark(name) {
  const marks = (window.__colabPanelMarks = window.__colabPanelMarks || {});
  if (marks[name] === undefined) marks[name] = Math.round(performance.now());
}

export function copyPageMarksTo(root) {
  for (const [name, t] of Object.entries(window.__colabPanelMarks || {})) {
    root.dataset[`tPage${name[0].toUpperCase()}${name.slice(1)}`] = String(t);
  }
}

// ---- plotly.js, loaded once per page ----------------------------------------------------------

export function plotlyState() {
  if (!window.__colabPanelPlotly) {
    let resolve;
    const promise = new Promise((r) => (resolve = r));
    window.__colabPanelPlotly = { promise, resolve, requestedAt: 0 };
  }
  return window.__colabPanelPlotly;
}

export function havePlotly() {
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
export function inflateEmbedded(model) {
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

export function installEmbedded(model) {
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

export async function installPlotly(view, gzipped) {
  const state = plotlyState();
  if (!havePlotly()) {
    await evaluatePlotly(await bufferText(view, gzipped));
    pageMark("evaluated");
  }
  state.resolve(window.Plotly);
}

function asView(value) {
  if (value instanceof DataView) return value;
  if (value instanceof ArrayBuffer) return new DataView(value);
  return new DataView(value.buffer, value.byteOffset, value.byteLength);
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

export function whenIdleOrShown(el, fn) {
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
