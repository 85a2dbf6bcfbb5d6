// The stand-in's notebook page (its own origin). It owns the kernel connection, keeps every
// widget model's state since the kernel's comm_open, and gives each cell's outputs one iframe on
// the output-frame origin; frames talk to it only through postMessage.
//
// Colab's rules it plays (see tests/colab_standin/README.md):
// - comm_msg sent by the kernel from a background thread is dropped (the kernel tags each
//   message with `colab_standin_main_thread`; googlecolab/colabtools#3373);
// - google.colab.kernel.proxyPort(port, options) in a frame is answered here: each call and its
//   options are recorded in window.__colabStandin.proxyPortCalls;
// - messages from frames go to the kernel's shell channel, which handles them once the running
//   cell ends.
(() => {
  const config = window.__STANDIN_CONFIG;
  const THREAD_KEY = "colab_standin_main_thread";
  const standin = (window.__colabStandin = {
    cells: [],          // {index, code, msgId, status: queued|running|done, executionCount, outputs: n}
    models: {},         // comm_id -> {target_name, state, buffers: {path: ArrayBuffer}}
    proxyPortCalls: [], // {port, options, url, t}
    dropped: [],        // comm_msg dropped because a background thread sent them
    delivered: { comm_msg: 0 },
    kernel: "starting",
    restarts: 0,
    run,
    interrupt,
    restart,
  });
  const byMsgId = new Map(); // execute_request msg_id -> cell
  const frames = new Map();  // cell index -> {frame, ready, pending: []}
  let socket;
  let opened;
  const connected = new Promise((resolve) => (opened = resolve));

  function uuid() {
    return crypto.randomUUID().replace(/-/g, "");
  }

  function b64ToBuffer(text) {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    return bytes.buffer;
  }

  function bufferToB64(buffer) {
    const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer)
      : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }

  function setKernel(status) {
    standin.kernel = status;
    const el = document.getElementById("kernel-status");
    if (el) { el.textContent = status; el.dataset.status = status; }
  }

  function connect() {
    socket = new WebSocket(`ws://${location.host}/api/kernel`);
    socket.onopen = () => { setKernel("idle"); opened(); };
    socket.onmessage = (event) => onKernelMessage(JSON.parse(event.data));
    socket.onclose = () => setKernel("disconnected");
  }

  function sendToKernel(msgType, content, { buffers = [], msgId = uuid(), metadata = {} } = {}) {
    socket.send(JSON.stringify({ msg_type: msgType, content, msg_id: msgId, metadata,
                                 buffers: buffers.map(bufferToB64) }));
    return msgId;
  }

  // ---- cells ------------------------------------------------------------------------------

  function newCell(code) {
    const index = standin.cells.length;
    const el = document.createElement("section");
    el.className = "standin-cell";
    el.dataset.index = String(index);
    el.innerHTML = '<span class="standin-prompt">[ ]</span><pre class="standin-code"></pre>';
    el.querySelector("pre").textContent = code;
    const frame = document.createElement("iframe");
    frame.className = "standin-output";
    frame.dataset.index = String(index);
    frame.src = `${config.frameOrigin}/outputframe.html?cell=${index}&page=${encodeURIComponent(location.origin)}` +
      `&theme=${encodeURIComponent(new URLSearchParams(location.search).get("theme") || "light")}`;
    el.appendChild(frame);
    document.getElementById("cells").appendChild(el);
    frames.set(index, { frame, ready: false, pending: [] });
    const cell = { index, code, msgId: null, status: "queued", executionCount: null, outputs: 0, el,
                   replied: false, idle: false, reply: null };
    standin.cells.push(cell);
    return cell;
  }

  async function run(code) {
    await connected;
    const cell = newCell(code);
    cell.msgId = uuid();
    byMsgId.set(cell.msgId, cell);
    sendToKernel("execute_request", { code, silent: false, store_history: true, user_expressions: {},
                                      allow_stdin: false, stop_on_error: true }, { msgId: cell.msgId });
    return cell.index;
  }

  function interrupt() {
    socket.send(JSON.stringify({ control: "interrupt" }));
  }

  function restart() {
    for (const cell of standin.cells) if (cell.status !== "done") cell.status = "done";
    standin.models = {};
    socket.send(JSON.stringify({ control: "restart" }));
  }

  function setCellStatus(cell, status) {
    cell.status = status;
    cell.el.dataset.status = status;
    const prompt = cell.el.querySelector(".standin-prompt");
    prompt.textContent = status === "running" ? "[*]" : `[${cell.executionCount ?? " "}]`;
  }

  // ---- frames -----------------------------------------------------------------------------

  function toFrame(index, message, transfer = []) {
    const entry = frames.get(index);
    if (!entry) return;
    if (!entry.ready) entry.pending.push(message);
    else entry.frame.contentWindow.postMessage(message, config.frameOrigin, transfer);
  }

  function toAllFrames(message) {
    for (const index of frames.keys()) toFrame(index, message);
  }

  function frameIndexOf(source) {
    for (const [index, entry] of frames) if (entry.frame.contentWindow === source) return index;
    return -1;
  }

  window.addEventListener("message", async (event) => {
    if (event.origin !== config.frameOrigin) return;
    const index = frameIndexOf(event.source);
    if (index < 0) return;
    const msg = event.data || {};
    const reply = (data) => event.source.postMessage({ ...data, replyTo: msg.requestId }, config.frameOrigin);
    switch (msg.type) {
      case "ready": {
        const entry = frames.get(index);
        entry.ready = true;
        for (const pending of entry.pending.splice(0)) entry.frame.contentWindow.postMessage(pending, config.frameOrigin);
        break;
      }
      case "height":
        frames.get(index).frame.style.height = `${Math.ceil(msg.height)}px`;
        break;
      case "get-state": {
        const model = standin.models[msg.id];
        reply({ type: "state", state: model ? { state: model.state, buffers: model.buffers } : null });
        break;
      }
      case "comm-open":
        sendToKernel("comm_open", { comm_id: msg.commId, target_name: msg.target, data: msg.data || {} },
                     { buffers: msg.buffers || [] });
        reply({ type: "sent" });
        break;
      case "comm-send":
        sendToKernel("comm_msg", { comm_id: msg.commId, data: msg.data }, { buffers: msg.buffers || [] });
        reply({ type: "sent" });
        break;
      case "comm-close":
        sendToKernel("comm_close", { comm_id: msg.commId, data: {} });
        break;
      case "proxy-port": {
        const call = { port: msg.port, options: msg.options ?? null, cell: index, t: Date.now(), url: null };
        standin.proxyPortCalls.push(call);
        try {
          const response = await fetch(`/api/proxy_port?port=${encodeURIComponent(msg.port)}`);
          call.url = (await response.json()).url;
          reply({ type: "proxy-port", url: call.url });
        } catch (error) {
          reply({ type: "proxy-port", error: String(error) });
        }
        break;
      }
      default:
        break;
    }
  });

  // ---- kernel messages --------------------------------------------------------------------

  function placeBuffers(msg) {
    const buffers = (msg.buffers || []).map(b64ToBuffer);
    return buffers;
  }

  function onKernelMessage(msg) {
    if (msg.channel === "control") {
      if (msg.restarted) { standin.restarts += 1; setKernel("idle"); }
      return;
    }
    const type = msg.header.msg_type;
    const parentId = msg.parent_header && msg.parent_header.msg_id;
    const cell = parentId ? byMsgId.get(parentId) : undefined;
    if (msg.channel === "shell") {
      if (type === "execute_reply" && cell) {
        cell.executionCount = msg.content.execution_count;
        cell.reply = msg.content.status;
        cell.replied = true;
        if (cell.idle) setCellStatus(cell, "done");
      }
      return;
    }
    const buffers = placeBuffers(msg);
    switch (type) {
      case "status":
        setKernel(msg.content.execution_state);
        if (!cell) break;
        if (msg.content.execution_state === "busy" && cell.status === "queued") setCellStatus(cell, "running");
        // Done once the reply came and the kernel went idle for this request (its outputs
        // precede the idle status on iopub; the reply travels on shell, in its own time).
        if (msg.content.execution_state === "idle") {
          cell.idle = true;
          if (cell.replied) setCellStatus(cell, "done");
        }
        break;
      case "execute_input":
        if (cell && cell.status !== "done") { cell.executionCount = msg.content.execution_count; setCellStatus(cell, "running"); }
        break;
      case "stream":
      case "display_data":
      case "execute_result":
      case "error":
      case "clear_output":
        if (cell) {
          cell.outputs += type === "clear_output" ? 0 : 1;
          toFrame(cell.index, { type: "output", msgType: type, content: msg.content, metadata: msg.metadata });
        }
        break;
      case "update_display_data":
        toAllFrames({ type: "output", msgType: type, content: msg.content, metadata: msg.metadata });
        break;
      case "comm_open": {
        const { comm_id: id, target_name: target, data } = msg.content;
        const state = { ...(data.state || {}) };
        const stored = {};
        (data.buffer_paths || []).forEach((path, i) => { stored[JSON.stringify(path)] = buffers[i]; });
        standin.models[id] = { target_name: target, state, buffers: stored };
        toAllFrames({ type: "comm-open", commId: id, target, data, buffers });
        break;
      }
      case "comm_msg": {
        if (msg.metadata && msg.metadata[THREAD_KEY] === false) {
          standin.dropped.push({ commId: msg.content.comm_id, method: msg.content.data && msg.content.data.method,
                                 t: Date.now() });
          break;
        }
        standin.delivered.comm_msg += 1;
        const { comm_id: id, data } = msg.content;
        const model = standin.models[id];
        if (model && data && data.method === "update") {
          Object.assign(model.state, data.state || {});
          (data.buffer_paths || []).forEach((path, i) => { model.buffers[JSON.stringify(path)] = buffers[i]; });
        }
        toAllFrames({ type: "comm-msg", commId: id, data, buffers });
        break;
      }
      case "comm_close":
        delete standin.models[msg.content.comm_id];
        toAllFrames({ type: "comm-close", commId: msg.content.comm_id });
        break;
      default:
        break;
    }
  }

  connect();
})();
