// How rows reach the chart (the model's `transport`; see live_chart.py for why there are three):
//   "comm": the kernel pushes {type: "delta"} messages from its sampler thread (`onMessage`);
//   "poll": inside the chart frame: poll the frame's own origin (`pollLoop`);
//   "http": (Colab) show the chart as an iframe document served by the kernel's loopback
//           endpoint through Colab's port proxy (`openFrame`); when it cannot load, say so and
//           draw what the kernel sends from its main thread.

import { havePlotly, installPlotly, plotlyState } from "./plotly_loader.js";
import { hostShade } from "../shade.js";

/** @typedef {import("./protocol.js").KernelMessage} KernelMessage */
/** @typedef {import("./protocol.js").Latest} Latest */
/** @typedef {import("./protocol.js").Meta} Meta */

// The feeds of one view. `view`: {model, root, frameBox, nowEl, grid, frame state, problem,
// alive, set, mark, note} (see live_chart.js); `absorb(data)` and `setMeta(meta)` take what
// arrives, `charts` draws when the frame fails.
export function createFeeds(view, { absorb, setMeta, charts }) {
  const { model, root, nowEl, grid, frameBox, set, mark, note } = view;
  let cursor = null; // HTTP: the `until` of the last rows we hold
  let polls = 0;
  let pollGeneration = 0;

  function hello(needTicket = false) {
    if (model.get("transport") === "poll") return;
    const state = plotlyState();
    const needPlotly = !havePlotly() && Date.now() - state.requestedAt > 15000;
    if (needPlotly) state.requestedAt = Date.now();
    mark("hello");
    model.send({ type: "hello", need_plotly: needPlotly, window_s: model.get("window_s"),
                 gzip: typeof DecompressionStream !== "undefined", need_ticket: needTicket });
  }

  // -- messages from the kernel --
  /** @param {KernelMessage} msg @param {DataView[]} buffers */
  async function onMessage(msg, buffers) {
    try {
      if (msg.type === "ticket") { openFrame(msg.ticket); return; }
      // A live frame draws the chart; what the kernel sends is for when it cannot.
      if (view.frameState === "live" && (msg.type === "snapshot" || msg.type === "delta")) return;
      if (msg.type === "plotly") {
        await installPlotly(buffers[0], msg.gzip);
        return;
      }
      if (msg.type === "snapshot") {
        mark("snapshot");
        setMeta(msg.meta);
        absorb(msg.data);
        if (msg.data.until != null && (cursor == null || msg.data.until > cursor)) cursor = msg.data.until;
      } else if (msg.type === "meta") {
        setMeta(msg.meta);
      } else if (msg.type === "delta") {
        absorb(msg.data);
      } else if (msg.type === "error") {
        view.problem = msg.message; note();
      }
    } catch (error) {
      view.problem = `The chart failed: ${error}`;
      if (msg.type === "plotly") set("plotly", "failed");
      note();
    }
  }

  // -- HTTP transport: poll the kernel's loopback endpoint --
  // "poll" (inside the chart frame): same-origin requests, the page's session key in a header.
  async function pollLoop(generation) {
    const headers = { "X-Colab-Panel-Token": model.get("session") };
    let failures = 0;
    const current = () => view.alive && generation === pollGeneration;
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
        if (failures) { failures = 0; view.problem = ""; note(); }
      } catch (error) {
        failures += 1;
        if (failures >= 3) {
          view.problem = "The monitor's endpoint stopped answering (the panel was closed or the kernel restarted).";
          note();
        }
      }
      const every = Math.min(Math.max(model.get("interval_s") * 1000, 250), 5000);
      await sleep(every * Math.min(2 ** failures, 20));
    }
  }

  // -- "http" (Colab): the chart as an iframe document served by the kernel's endpoint --
  let frame = null; // {el, origin}
  let frameTimer = null;
  const FRAME_WAIT_MS = 15000;

  function setFrameState(state) {
    view.frameState = state;
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
    view.problem = `${sentence} Until then the chart updates whenever the kernel is idle.`;
    note();
    if (!charts.hasCharts) charts.drawAll();
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
    if (!view.alive || model.get("transport") !== "http" || !port || !ticket) return;
    setFrameState("loading");
    const base = await frameBase(port);
    if (!view.alive || generation !== pollGeneration) return;
    if (!base.url) { frameFailed(base.state, base.sentence); return; }
    if (frame) frame.el.remove();
    const el = document.createElement("iframe");
    el.className = "cp-lc-frame";
    el.title = "Live GPU and host charts";
    el.src = new URL(`chart?ticket=${encodeURIComponent(ticket)}&theme=${hostShade(frameBox)}`, base.url).href;
    frame = { el, origin: new URL(el.src).origin };
    frameBox.appendChild(el);
    clearTimeout(frameTimer);
    frameTimer = setTimeout(() => {
      if (view.alive && view.frameState === "loading") {
        frameFailed("failed", "The live chart could not reach the kernel through Colab's port proxy.");
      }
    }, FRAME_WAIT_MS);
  }

  function onFrameMessage(event) {
    if (!frame || event.source !== frame.el.contentWindow || !event.data) return;
    const msg = event.data;
    if (msg.type !== "cp-frame") return;
    if (msg.state === "refused") { hello(true); return; }
    if (view.frameState !== "live") {
      clearTimeout(frameTimer);
      setFrameState("live");
      if (view.problem) { view.problem = ""; note(); }
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
      if (!view.alive) return;
      const status = { type: "status", frame: view.frameState, points: Number(root.dataset.points || 0),
                       last_t: Number(root.dataset.lastT || 0), problem: view.problem };
      const key = JSON.stringify(status);
      if (key !== reported) { reported = key; model.send(status); }
    }, 2000);
  }

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

  new MutationObserver(reportStatus).observe(root, { attributes: true });

  function stop() {
    pollGeneration += 1;
    clearTimeout(frameTimer);
    clearTimeout(reportTimer);
    if (frame) frame.el.remove();
  }

  return { hello, onMessage, onFrameMessage, sendSettings, restartPolling, stop };
}

// The chart's meta from the endpoint's `latest` (the frame has no kernel to send it).
/** @param {Latest} latest @returns {Meta} */
export function metaFromLatest(latest) {
  return {
    gpus: (latest.gpus || []).map((g) => ({ index: g.index, name: g.name,
      memory_total_bytes: g.memory_total_bytes, lost: g.lost })),
    ram_total_bytes: latest.host ? latest.host.ram_total_bytes : null,
    gpu_status: latest.gpu_status,
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
