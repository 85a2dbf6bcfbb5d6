// "Your computer": uploads and downloads between this browser and the runtime, as a page of its
// own served by the kernel's loopback endpoint (colab_panel/transfers/routes.py) and shown in an
// iframe (through Colab's port proxy there). It talks only to its own origin, so Colab's proxy
// lets it through, and a thread in the kernel answers, so transfers go on while a cell runs.
//
// Upload protocol (kernel side: colab_panel/transfers/upload.py): POST upload -> {id,
// committed_bytes}; then PUT upload/<id>?offset=N with CHUNK bytes and their CRC-32 (js/crc32.js;
// a damaged chunk is refused and sent again) until done; the file's md5, hashed by the kernel
// from what it wrote, follows: GET upload/<id> until its md5 (or md5_error) is there.
// A 409 says where the kernel is; a dropped connection is retried from the committed offset; a
// reloaded page resumes when the same file (name, size, lastModified) is picked again.
//
// The parent (js/transfer_box.js) hears {type: "cp-transfers", state, height} from this page.
// Test hooks: each row's data-state ("waiting" | "uploading" | "retrying" | "done" | "failed" |
// "cancelled"), data-committed, data-sent (bytes put on the wire, re-sent ones included),
// data-md5 (set once the kernel has hashed the file, after data-state "done"); the download box's
// data-state.

import { crc32Hex } from "./crc32.js";

const config = JSON.parse(document.querySelector("meta[name=colab-panel-transfers]").content);
document.documentElement.dataset.theme = new URLSearchParams(location.search).get("theme") === "dark" ? "dark" : "light";
const ROOT = new URL("../", location.href); // the endpoint's root
const HEADERS = { "X-Colab-Panel-Token": config.session };
const RETRY_FOR_MS = 60000; // a connection that stays down longer than this stops the upload

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function bytes(n) {
  if (n == null) return "?";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i += 1; }
  return `${n >= 100 || i === 0 ? Math.round(n) : n.toFixed(1)} ${units[i]}`;
}

function duration(s) {
  if (!isFinite(s)) return "";
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

async function api(method, path, body, signal) {
  const init = { method, headers: { ...HEADERS }, signal, cache: "no-store" };
  if (body !== undefined) {
    init.body = body instanceof ArrayBuffer ? body : JSON.stringify(body);
    if (!(body instanceof ArrayBuffer)) init.headers["Content-Type"] = "application/json";
  }
  const response = await fetch(new URL(path, ROOT), init);
  let answer = {};
  try { answer = await response.json(); } catch (_e) { answer = {}; }
  return { status: response.status, answer };
}

// ---- layout ----
const root = el("div", "cp-tf");
document.body.appendChild(root);
const form = el("div", "cp-tf-form");
const destLabel = el("label", "cp-tf-field");
destLabel.append(el("span", "", "Upload to (runtime folder)"));
const dest = el("input", "cp-tf-dest");
dest.value = config.dest || "";
dest.spellcheck = false;
destLabel.append(dest);
const driveLabel = el("label", "cp-tf-field");
driveLabel.append(el("span", "", "Also copy to Drive folder (link or ID, optional)"));
const driveFolder = el("input", "cp-tf-drive");
driveFolder.placeholder = "https://drive.google.com/drive/folders/…";
driveFolder.spellcheck = false;
driveLabel.append(driveFolder);
form.append(destLabel, driveLabel);

const zone = el("div", "cp-tf-drop");
zone.tabIndex = 0;
const zoneText = el("span", "cp-tf-drop-text", "Drop files or a folder here, or ");
const pickFiles = el("button", "cp-tf-pick-files", "Choose files…");
const pickFolder = el("button", "cp-tf-pick-folder", "Choose a folder…");
const filesInput = el("input", "cp-tf-files-input");
filesInput.type = "file";
filesInput.multiple = true;
const folderInput = el("input", "cp-tf-folder-input");
folderInput.type = "file";
folderInput.webkitdirectory = true;
filesInput.hidden = folderInput.hidden = true;
zone.append(zoneText, pickFiles, el("span", "", " "), pickFolder, filesInput, folderInput);

const list = el("div", "cp-tf-list");
const downloadRow = el("div", "cp-tf-download");
const downloadPath = el("input", "cp-tf-download-path");
downloadPath.placeholder = "Runtime path of a file or folder, e.g. /content/outputs";
downloadPath.spellcheck = false;
const downloadButton = el("button", "cp-tf-download-button", "Download…");
const downloadNote = el("span", "cp-tf-note");
downloadRow.append(el("span", "cp-tf-download-label", "To your computer:"), downloadPath, downloadButton, downloadNote);
root.append(form, zone, list, downloadRow);

// ---- uploads ----
const queue = [];
let running = false;

function addRow(file, name) {
  const row = el("div", "cp-tf-row");
  const title = el("div", "cp-tf-name", name);
  const bar = el("progress", "cp-tf-bar");
  bar.max = Math.max(file.size, 1);
  bar.value = 0;
  const words = el("div", "cp-tf-words", "Waiting…");
  const cancel = el("button", "cp-tf-cancel", "Cancel");
  const head = el("div", "cp-tf-row-head");
  head.append(title, cancel);
  row.append(head, bar, words);
  list.prepend(row);
  const job = { file, name, row, bar, words, cancel, cancelled: false, controller: null, id: null };
  Object.assign(row.dataset, { state: "waiting", committed: "0", sent: "0", name });
  cancel.addEventListener("click", () => cancelJob(job));
  return job;
}

function setState(job, state, text) {
  job.row.dataset.state = state;
  job.row.classList.toggle("cp-tf-failed", state === "failed");
  if (text !== undefined) job.words.textContent = text;
  if (["done", "failed", "cancelled"].includes(state)) job.cancel.hidden = true;
  report();
}

async function cancelJob(job) {
  job.cancelled = true;
  if (job.controller) job.controller.abort();
  if (job.id) {
    try { await api("DELETE", `transfers/upload/${job.id}`); } catch (_e) { /* it is gone with the kernel */ }
  }
  setState(job, "cancelled", "Cancelled; the partial file was removed from the runtime.");
}

function enqueue(entries) {
  for (const { file, name } of entries) queue.push(addRow(file, name));
  if (!running) runQueue();
}

async function runQueue() {
  running = true;
  while (queue.length) {
    const job = queue.shift();
    if (!job.cancelled) await upload(job);
  }
  running = false;
}

function prepare(file, offset) {
  const end = Math.min(offset + config.chunk_bytes, file.size);
  return { offset, promise: (async () => {
    const buffer = await file.slice(offset, end).arrayBuffer();
    return { buffer, crc: crc32Hex(buffer) };
  })() };
}

async function upload(job) {
  const { file } = job;
  const spec = { dest: dest.value.trim(), name: job.name, size_bytes: file.size,
                 last_modified_ms: file.lastModified, drive_folder: driveFolder.value.trim() };
  const started = performance.now();
  let offset = 0;
  let startOffset = 0;
  let downSince = null;
  let rate = null;
  let prepared = null; // {offset, promise of {buffer, crc}}
  setState(job, "uploading", "Starting…");
  while (!job.cancelled) {
    let result;
    try {
      if (job.id === null) {
        result = await api("POST", "transfers/upload", spec);
        if (result.status !== 200) { setState(job, "failed", result.answer.error || `Refused (${result.status}).`); return; }
        job.id = result.answer.id;
        if (job.cancelled) { // cancelled while asking: the kernel may have made the partial file again
          await api("DELETE", `transfers/upload/${job.id}`).catch(() => {});
          return;
        }
        offset = startOffset = result.answer.committed_bytes;
        if (offset > 0 && !result.answer.done) job.words.textContent = `Resuming at ${bytes(offset)}…`;
      } else {
        // The next chunk is read and its CRC computed while this one is on the wire.
        const ready = prepared && prepared.offset === offset ? prepared : prepare(file, offset);
        const { buffer, crc } = await ready.promise;
        prepared = offset + buffer.byteLength < file.size ? prepare(file, offset + buffer.byteLength) : null;
        const headers = { "X-Chunk-Crc32": crc };
        job.controller = new AbortController();
        const t0 = performance.now();
        job.row.dataset.sent = String(Number(job.row.dataset.sent) + buffer.byteLength);
        const response = await fetch(new URL(`transfers/upload/${job.id}?offset=${offset}`, ROOT),
          { method: "PUT", headers: { ...HEADERS, ...headers }, body: buffer, signal: job.controller.signal, cache: "no-store" });
        let answer = {};
        try { answer = await response.json(); } catch (_e) { answer = {}; }
        result = { status: response.status, answer };
        if (response.status === 200) {
          const seconds = (performance.now() - t0) / 1000;
          const now = buffer.byteLength / Math.max(seconds, 1e-3);
          rate = rate === null ? now : 0.7 * rate + 0.3 * now;
        }
      }
    } catch (error) {
      if (job.cancelled) return;
      // dropped connection, kernel busy restarting, proxy hiccup: ask again from the committed offset
      downSince = downSince || performance.now();
      if (performance.now() - downSince > RETRY_FOR_MS) {
        setState(job, "failed", "The runtime stopped answering. Pick the same file again to resume where it stopped.");
        return;
      }
      setState(job, "retrying", `Connection lost; retrying from ${bytes(offset)}…`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      job.id = null;
      continue;
    }
    downSince = null;
    const { status, answer } = result;
    if (status === 409 && typeof answer.committed_bytes === "number") {
      // Out of step with the kernel (a lost answer, the same file picked twice): continue where
      // it is; when it has everything, asking again gets the finished answer.
      offset = answer.committed_bytes;
      if (offset >= file.size) job.id = null;
      continue;
    }
    if (status !== 200) {
      if (status === 400 && /damaged/.test(answer.error || "")) continue; // sent again as it says
      setState(job, "failed", answer.error || `The runtime refused the upload (${status}).`);
      return;
    }
    offset = answer.committed_bytes;
    job.row.dataset.committed = String(offset);
    job.bar.value = offset;
    if (answer.done) {
      const seconds = (performance.now() - started) / 1000;
      job.done = { words: `Done: ${bytes(file.size)} in ${duration(seconds) || "0 s"}` +
        `${startOffset ? ` (resumed at ${bytes(startOffset)})` : ""}`, path: answer.path, drive: answer.drive };
      showDone(job, answer);
      setState(job, "done");
      if (!answer.md5 && !answer.md5_error) followMd5(job);
      if (spec.drive_folder) followDrive(job);
      return;
    }
    const eta = rate ? (file.size - offset) / rate : Infinity;
    job.words.textContent = `${bytes(offset)} of ${bytes(file.size)} · ${rate ? `${bytes(rate)}/s` : ""}` +
      `${isFinite(eta) ? ` · ${duration(eta)} left` : ""}`;
    job.row.dataset.state = "uploading";
  }
}

// A finished row's words: size and time, the md5 once known, the path, the onward copy to Drive.
function showDone(job, answer) {
  if (answer.md5) {
    job.done.md5 = `md5 ${answer.md5}`;
    job.row.dataset.md5 = answer.md5;
  } else if (answer.md5_error) {
    job.done.md5 = `no md5: ${answer.md5_error}`;
    job.row.dataset.md5 = "";
  } else if (!job.done.md5) {
    job.done.md5 = "md5 being computed…";
  }
  if (answer.drive) {
    job.done.drive = answer.drive;
    job.row.dataset.drive = answer.drive;
  }
  const drive = job.done.drive ? ` · ${job.done.drive}` : "";
  job.words.textContent = `${job.done.words} · ${job.done.md5} · ${job.done.path}${drive}`;
  report();
}

// The kernel hashes the file behind the upload (as fast as md5 goes, ~0.5 GB/s a core): usually
// known at once, on a fast link a few seconds after the last chunk.
async function followMd5(job) {
  for (let wait = 100; ; wait = Math.min(wait * 2, 2000)) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    let answer;
    try { ({ answer } = await api("GET", `transfers/upload/${job.id}`)); } catch (_e) { return; }
    if (answer.error) return; // the kernel restarted: the file is in place, its md5 unknown
    showDone(job, answer);
    if (answer.md5 || answer.md5_error) return;
  }
}

async function followDrive(job) {
  for (let i = 0; i < 3600; i += 1) {
    let answer;
    try { ({ answer } = await api("GET", `transfers/upload/${job.id}`)); } catch (_e) { return; }
    if (answer.drive) {
      showDone(job, answer);
      if (!answer.drive.endsWith("…")) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

function fromInput(input) {
  const files = Array.from(input.files || []);
  enqueue(files.map((file) => ({ file, name: file.webkitRelativePath || file.name })));
  input.value = "";
}

async function entriesOf(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, name: prefix + entry.name });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (!batch.length) break;
      for (const child of batch) await entriesOf(child, `${prefix}${entry.name}/`, out);
    }
  }
}

pickFiles.addEventListener("click", () => filesInput.click());
pickFolder.addEventListener("click", () => folderInput.click());
filesInput.addEventListener("change", () => fromInput(filesInput));
folderInput.addEventListener("change", () => fromInput(folderInput));
zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("cp-tf-over"); });
zone.addEventListener("dragleave", () => zone.classList.remove("cp-tf-over"));
zone.addEventListener("drop", async (event) => {
  event.preventDefault();
  zone.classList.remove("cp-tf-over");
  const items = Array.from(event.dataTransfer.items || []);
  const entries = items.map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry()).filter(Boolean);
  const out = [];
  if (entries.length) {
    for (const entry of entries) await entriesOf(entry, "", out);
  } else {
    for (const file of Array.from(event.dataTransfer.files || [])) out.push({ file, name: file.name });
  }
  enqueue(out);
});

// ---- downloads ----
async function download() {
  const path = downloadPath.value.trim();
  downloadRow.dataset.state = "asking";
  downloadNote.textContent = "";
  downloadNote.classList.remove("cp-tf-error");
  let result;
  try {
    result = await api("POST", "transfers/download-ticket", { path });
  } catch (_e) {
    result = { status: 0, answer: { error: "The runtime did not answer (the panel was closed or the kernel restarted)." } };
  }
  if (result.status !== 200) {
    downloadRow.dataset.state = "failed";
    downloadNote.textContent = result.answer.error || `Refused (${result.status}).`;
    downloadNote.classList.add("cp-tf-error");
    report();
    return;
  }
  const link = document.createElement("a");
  link.href = new URL(result.answer.url, ROOT).href;
  link.download = "";
  document.body.appendChild(link);
  link.click();
  link.remove();
  downloadRow.dataset.state = "started";
  downloadNote.textContent = "Started: see your browser's downloads (a folder arrives as one .zip).";
  report();
}
downloadButton.addEventListener("click", download);
downloadPath.addEventListener("keydown", (event) => { if (event.key === "Enter") download(); });

// ---- the parent hears our state and height ----
let last = "";
function report() {
  const status = { type: "cp-transfers", state: "ready", height: Math.ceil(root.getBoundingClientRect().bottom) + 8 };
  const key = JSON.stringify(status);
  if (key !== last) { last = key; window.parent.postMessage(status, "*"); }
}
new ResizeObserver(report).observe(root);
root.dataset.ready = "1";
report();
