// The Monitor's chart as a page of its own, served by the kernel's loopback endpoint
// (colab_panel/monitor/endpoint.py) and shown in an iframe through Colab's port proxy.
// It draws with the same code as the widget (live_chart.js), fed by polling its own origin,
// so it keeps drawing while a cell runs, when Colab drops the kernel's background messages.
//
// The widget that holds this frame talks to it with postMessage:
//   parent -> frame {type: "cp-settings", window_s, interval_s, paused}
//   frame -> parent {type: "cp-frame", state: "ready" | "refused", points, rows, polls,
//                    problem, height}
import chart from "./live_chart.js";

// the notebook's shade, which this page of another origin cannot see (its widget passes it)
document.documentElement.dataset.theme = new URLSearchParams(location.search).get("theme") === "dark" ? "dark" : "light";

const config = JSON.parse(document.querySelector("meta[name=colab-panel-chart]").content);

// A widget model, as far as live_chart.js uses one: values, change events, no kernel.
const values = { transport: "poll", session: config.session, window_s: 300,
                 interval_s: config.interval_s || 1, paused: false, plotly_gz: null, first_snapshot: {} };
const listeners = {};
const model = {
  get: (name) => values[name],
  on: (event, fn) => { (listeners[event] = listeners[event] || []).push(fn); },
  off: (event, fn) => { listeners[event] = (listeners[event] || []).filter((f) => f !== fn); },
  send: () => {}, // "hello" has no kernel to go to: the frame polls instead
};

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !event.data || event.data.type !== "cp-settings") return;
  for (const name of ["window_s", "interval_s", "paused"]) {
    if (event.data[name] === undefined || event.data[name] === values[name]) continue;
    values[name] = event.data[name];
    for (const fn of listeners[`change:${name}`] || []) fn();
  }
});

chart.render({ model, el: document.body });

// Report to the widget what the frame shows, whenever it changes (the widget cannot read a
// frame of another origin).
const root = document.querySelector(".cp-live-chart");
let last = "";
function report() {
  const d = root.dataset;
  const status = { type: "cp-frame", state: "ready", points: Number(d.points || 0),
                   rows: Number(d.rows || 0), polls: Number(d.polls || 0), problem: d.problem || "",
                   last_t: Number(d.lastT || 0),
                   // the content's own height: the document's is at least the frame's
                   height: Math.ceil(root.getBoundingClientRect().bottom) + 4 };
  const key = JSON.stringify(status);
  if (key !== last) { last = key; window.parent.postMessage(status, "*"); }
}
new MutationObserver(report).observe(root, { attributes: true, subtree: true, childList: true });
new ResizeObserver(report).observe(root);
report();
