// The "Your computer" box: shows the kernel's transfer page (js/transfer_frame.js) in an iframe.
// In Colab the frame's URL comes from google.colab.kernel.proxyPort(port, {cache: false}), so
// the page is a document of the proxied origin and its uploads are same-origin requests, which
// Colab's proxy lets through (a fetch from this output frame would get 401). Elsewhere the
// browser is taken to share the kernel's machine (http://127.0.0.1:port), as for the Monitor.
// The ticket in the widget's state opens the page once; a later view asks the kernel for a new
// one ({type: "need_ticket"}, answered when the kernel is idle).
// Test hooks on the root: data-frame ("loading" | "live" | "failed").
import { hostShade } from "./shade.js";

const FRAME_WAIT_MS = 15000;

async function frameBase(port) {
  const colab = window.google && window.google.colab;
  const kernel = colab && colab.kernel;
  if (kernel && kernel.accessAllowed === false) {
    return { sentence: "Colab does not let this output reach the kernel: run the panel's cell to allow it." };
  }
  if (kernel && kernel.proxyPort) {
    try {
      const url = String(await kernel.proxyPort(port, { cache: false }));
      return { url: url.endsWith("/") ? url : `${url}/` };
    } catch (error) {
      return { sentence: `Colab's port proxy refused the transfer endpoint (${error}).` };
    }
  }
  if (colab) return { sentence: "This front end has no port proxy, so files cannot travel through it; use Colab's own Files pane." };
  return { url: `http://127.0.0.1:${port}/` };
}

export default {
  render({ model, el }) {
    el.classList.add("cp-transfer-box");
    const note = document.createElement("div");
    note.className = "cp-transfer-note";
    const box = document.createElement("div");
    el.append(note, box);
    let frame = null;
    let timer = null;
    let alive = true;
    const used = (window.__colabPanelTickets = window.__colabPanelTickets || new Set());

    function failed(sentence) {
      clearTimeout(timer);
      if (frame) { frame.remove(); frame = null; }
      el.dataset.frame = "failed";
      note.textContent = sentence;
    }

    async function open() {
      const ticket = model.get("frame_ticket");
      const port = model.get("endpoint_port");
      if (!alive || !port) return;
      if (!ticket || used.has(ticket)) { model.send({ type: "need_ticket" }); return; }
      used.add(ticket);
      el.dataset.frame = "loading";
      note.textContent = "";
      const base = await frameBase(port);
      if (!alive) return;
      if (!base.url) { failed(base.sentence); return; }
      if (frame) frame.remove();
      frame = document.createElement("iframe");
      frame.className = "cp-transfer-frame";
      frame.title = "Uploads and downloads between your computer and the runtime";
      frame.src = new URL(`transfers/page?ticket=${encodeURIComponent(ticket)}&theme=${hostShade(el)}`, base.url).href;
      box.appendChild(frame);
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (alive && el.dataset.frame === "loading") {
          failed("The transfer page could not reach the kernel (is the browser on another machine than the kernel? see the panel's README).");
        }
      }, FRAME_WAIT_MS);
    }

    function onMessage(event) {
      if (!frame || event.source !== frame.contentWindow || !event.data || event.data.type !== "cp-transfers") return;
      if (event.data.state === "refused") { model.send({ type: "need_ticket" }); return; }
      clearTimeout(timer);
      el.dataset.frame = "live";
      note.textContent = "";
      if (event.data.height) frame.style.height = `${Math.max(event.data.height, 80)}px`;
    }

    window.addEventListener("message", onMessage);
    model.on("change:frame_ticket", open);
    open();
    return () => {
      alive = false;
      clearTimeout(timer);
      window.removeEventListener("message", onMessage);
      model.off("change:frame_ticket", open);
    };
  },
};
