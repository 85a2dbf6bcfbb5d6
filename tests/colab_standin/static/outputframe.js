// One cell's output frame (the output-frame origin, apart from the page and the kernel's ports).
// It renders the outputs the page posts, picks a widget manager per widget output (the custom
// manager that the output's metadata names, or the built-in core-only one) and gives page JS
// Colab's `google.colab.kernel` (proxyPort, accessAllowed) and `window.element`.
(() => {
  const WIDGET_MIME = "application/vnd.jupyter.widget-view+json";
  const pageOrigin = new URLSearchParams(location.search).get("page");
  const cellIndex = Number(new URLSearchParams(location.search).get("cell"));
  const state = (window.__outputFrame = { cell: cellIndex, widgetErrors: [], rendered: 0, managers: {} });
  let nextRequest = 1;
  const waiting = new Map();
  const channels = new Map(); // comm id -> Set of channels (one per manager that holds the model)

  function toPage(message, transfer = []) {
    window.parent.postMessage(message, pageOrigin, transfer);
  }

  function ask(message) {
    const requestId = nextRequest++;
    return new Promise((resolve) => {
      waiting.set(requestId, resolve);
      toPage({ ...message, requestId });
    });
  }

  // ---- google.colab.kernel, as page JS in a Colab output frame sees it ----------------------
  window.google = window.google || {};
  window.google.colab = window.google.colab || {};
  window.google.colab.kernel = {
    accessAllowed: true,
    async proxyPort(port, options) {
      const answer = await ask({ type: "proxy-port", port, options: options === undefined ? null : options });
      if (answer.error) throw new Error(answer.error);
      return answer.url;
    },
  };

  // ---- comm channels (the environment's IComm: send, close, async-iterable messages) ---------
  function channel(id) {
    const queue = [];
    let wake = null;
    let closed = false;
    const ch = {
      id,
      push(message) { queue.push(message); if (wake) { wake(); wake = null; } },
      end() { closed = true; if (wake) { wake(); wake = null; } },
      send(data, opts = {}) {
        return ask({ type: "comm-send", commId: id, data, buffers: (opts.buffers || []).map(toArrayBuffer) }).then(() => {});
      },
      close() { toPage({ type: "comm-close", commId: id }); },
      messages: {
        [Symbol.asyncIterator]() {
          return {
            async next() {
              while (!queue.length && !closed) await new Promise((r) => (wake = r));
              if (queue.length) return { value: queue.shift(), done: false };
              return { value: undefined, done: true };
            },
          };
        },
      },
    };
    if (!channels.has(id)) channels.set(id, new Set());
    channels.get(id).add(ch);
    return ch;
  }

  function toArrayBuffer(b) {
    if (b instanceof ArrayBuffer) return b;
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  }

  function setPath(obj, path, value) {
    let target = obj;
    for (const key of path.slice(0, -1)) target = target[key];
    target[path[path.length - 1]] = value;
  }

  const environment = {
    async getModelState(modelId) {
      const answer = await ask({ type: "get-state", id: modelId });
      if (!answer.state) return undefined;
      const modelState = JSON.parse(JSON.stringify(answer.state.state));
      for (const [path, buffer] of Object.entries(answer.state.buffers || {})) {
        setPath(modelState, JSON.parse(path), new DataView(buffer));
      }
      return {
        modelName: modelState._model_name, modelModule: modelState._model_module,
        modelModuleVersion: modelState._model_module_version, state: modelState, comm: channel(modelId),
      };
    },
    async openCommChannel(target, data, buffers) {
      const id = crypto.randomUUID().replace(/-/g, "");
      const ch = channel(id);
      await ask({ type: "comm-open", commId: id, target, data, buffers: (buffers || []).map(toArrayBuffer) });
      return ch;
    },
    async renderOutput(item, element) {
      await renderBundle(item.data || {}, item.metadata || {}, element, item);
    },
  };

  function manager(url) {
    if (!state.managers[url]) {
      state.managers[url] = import(url).then((module) => module.createWidgetManager(environment));
    }
    return state.managers[url];
  }

  const BUILTIN = new URL("/build/builtin.js", location.href).toString();

  // ---- outputs ------------------------------------------------------------------------------
  const area = () => document.getElementById("output-area");
  let clearPending = false;

  function stripAnsi(text) {
    return String(text).replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
  }

  async function renderBundle(data, metadata, element, output) {
    if (data[WIDGET_MIME]) {
      const wmeta = metadata[WIDGET_MIME] || {};
      const custom = wmeta.colab && wmeta.colab.custom_widget_manager && wmeta.colab.custom_widget_manager.url;
      element.classList.add("standin-widget");
      element.dataset.manager = custom ? "custom" : "builtin";
      try {
        const mgr = await manager(custom || BUILTIN);
        await mgr.render(data[WIDGET_MIME].model_id, element);
        state.rendered += 1;
        element.dataset.widget = "rendered";
      } catch (error) {
        element.dataset.widget = "failed";
        state.widgetErrors.push(String(error && error.message ? error.message : error));
        console.error("widget render failed", error);
      }
      return;
    }
    if (data["application/javascript"]) {
      window.element = element;
      try {
        (0, eval)(data["application/javascript"]);
      } catch (error) {
        const pre = document.createElement("pre");
        pre.className = "standin-error";
        pre.textContent = String(error);
        element.appendChild(pre);
      }
      return;
    }
    if (data["text/html"]) {
      const html = Array.isArray(data["text/html"]) ? data["text/html"].join("") : data["text/html"];
      element.innerHTML = html;
      for (const old of element.querySelectorAll("script")) {
        const script = document.createElement("script");
        for (const attr of old.attributes) script.setAttribute(attr.name, attr.value);
        script.textContent = old.textContent;
        old.replaceWith(script);
      }
      return;
    }
    if (data["image/png"]) {
      const img = document.createElement("img");
      img.src = `data:image/png;base64,${data["image/png"]}`;
      element.appendChild(img);
      return;
    }
    if (data["text/plain"] !== undefined) {
      const pre = document.createElement("pre");
      pre.className = "standin-text";
      pre.textContent = data["text/plain"];
      element.appendChild(pre);
    }
  }

  function clearArea() {
    area().textContent = "";
  }

  async function onOutput(msg) {
    const content = msg.content;
    if (msg.msgType === "clear_output") {
      if (content.wait) clearPending = true;
      else clearArea();
      return;
    }
    if (clearPending) { clearPending = false; clearArea(); }
    if (msg.msgType === "update_display_data") {
      const id = content.transient && content.transient.display_id;
      for (const el of document.querySelectorAll(`[data-display-id="${CSS.escape(String(id))}"]`)) {
        el.textContent = "";
        await renderBundle(content.data || {}, content.metadata || {}, el);
      }
      return;
    }
    if (msg.msgType === "stream") {
      const last = area().lastElementChild;
      if (last && last.matches("pre.standin-stream") && last.dataset.name === content.name) {
        last.textContent += stripAnsi(content.text);
      } else {
        const pre = document.createElement("pre");
        pre.className = "standin-stream";
        pre.dataset.name = content.name;
        pre.textContent = stripAnsi(content.text);
        area().appendChild(pre);
      }
      return;
    }
    const el = document.createElement("div");
    el.className = `standin-output standin-${msg.msgType.replace("_", "-")}`;
    area().appendChild(el);
    if (msg.msgType === "error") {
      const pre = document.createElement("pre");
      pre.className = "standin-error";
      pre.textContent = stripAnsi((content.traceback || []).join("\n") || `${content.ename}: ${content.evalue}`);
      el.appendChild(pre);
      return;
    }
    const displayId = content.transient && content.transient.display_id;
    if (displayId) el.dataset.displayId = displayId;
    await renderBundle(content.data || {}, content.metadata || {}, el);
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent) return;
    const msg = event.data || {};
    if (msg.replyTo && waiting.has(msg.replyTo)) {
      waiting.get(msg.replyTo)(msg);
      waiting.delete(msg.replyTo);
      return;
    }
    switch (msg.type) {
      case "output":
        onOutput(msg);
        break;
      case "comm-msg":
        for (const ch of channels.get(msg.commId) || []) ch.push({ data: msg.data, buffers: msg.buffers });
        break;
      case "comm-close":
        for (const ch of channels.get(msg.commId) || []) ch.end();
        channels.delete(msg.commId);
        break;
      default:
        break;
    }
  });

  function reportHeight() {
    toPage({ type: "height", height: document.documentElement.scrollHeight });
  }

  window.addEventListener("DOMContentLoaded", () => {
    new ResizeObserver(reportHeight).observe(document.body);
    toPage({ type: "ready" });
  });
})();
