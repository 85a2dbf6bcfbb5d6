// The Drive tab's file table (colab_panel/widgets/file_table.py): icon, name, size, modified,
// owner; headers that sort; multi-select by mouse and keyboard; a confirm prompt in the table.
//
// Virtualized: only the rows in view (plus a few) exist in the DOM, so a 10,000-item folder costs
// what a 40-row one does. The kernel sends the first rows with the table (`head`) and the rest in
// blocks when asked ({type: "rows"}); `version` changes whenever the rows change (a new folder, a
// sort, more pages read), and then cached rows are dropped. Selection is held here as index
// ranges of one version and told to the kernel with that version, which ignores stale ones.
//
// A row is [id, kind, name, size_bytes | null, modified_epoch_s | null, owner, opens (0/1)].

const ROW_H = 28;
const OVERSCAN = 8;
const BLOCK = 200;
const ICONS = {
  folder: '<path d="M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0 1 14 6v5.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z"/>',
  link: '<path d="M2 4.5A1.5 1.5 0 0 1 3.5 3h3l1.5 1.5h4.5A1.5 1.5 0 0 1 14 6v5.5a1.5 1.5 0 0 1-1.5 1.5h-9A1.5 1.5 0 0 1 2 11.5z"/><path class="cp-ft-glyph" d="M6 10.5l3.5-3.5M7 7h2.5v2.5" fill="none" stroke-width="1.3"/>',
};
const PAGE = '<path d="M4 1.5h5.5L13 5v9a.5.5 0 0 1-.5.5h-8.5A.5.5 0 0 1 3.5 14V2a.5.5 0 0 1 .5-.5z"/><path class="cp-ft-fold" d="M9.5 1.5V5H13"/>';
// Files are one page shape, told apart by colour (the CSS) and a mark for the common kinds.
const MARKS = {
  sheet: '<path class="cp-ft-mark" d="M5.5 8h5M5.5 10.5h5M8 6.5v6"/>',
  doc: '<path class="cp-ft-mark" d="M5.5 7.5h5M5.5 9.5h5M5.5 11.5h3"/>',
  text: '<path class="cp-ft-mark" d="M5.5 7.5h5M5.5 9.5h5M5.5 11.5h3"/>',
  slides: '<rect class="cp-ft-mark" x="5.5" y="7.5" width="5" height="3.5"/>',
  image: '<path class="cp-ft-mark" d="M5 12l2-2.5 1.5 1.5 1-1 1.5 2z"/>',
  video: '<path class="cp-ft-mark" d="M6.5 7.5v4l3.5-2z"/>',
  archive: '<path class="cp-ft-mark" d="M8 5v1M8 7v1M8 9v1M7 11h2"/>',
  code: '<path class="cp-ft-mark" d="M6.5 8l-1.5 1.5 1.5 1.5M9.5 8l1.5 1.5-1.5 1.5"/>',
};

function icon(kind) {
  const body = ICONS[kind] || PAGE + (MARKS[kind] || "");
  return `<svg class="cp-ft-icon cp-ft-k-${kind}" viewBox="0 0 16 16" aria-hidden="true">${body}</svg>`;
}

function humanBytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = n, i = 0;
  while (Math.abs(value) >= 1024 && i < units.length - 1) { value /= 1024; i++; }
  return i === 0 ? `${value} B` : `${value.toFixed(1)} ${units[i]}`;
}

function when(epoch) {
  if (epoch === null || epoch === undefined) return "";
  const d = new Date(epoch * 1000);
  const p = (x) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

const COLUMNS = [
  { key: "name", label: "Name", cls: "cp-ft-name" },
  { key: "size", label: "Size", cls: "cp-ft-size" },
  { key: "modified", label: "Modified", cls: "cp-ft-modified" },
  { key: "owner", label: "Owner", cls: "cp-ft-owner" },
];

export default {
  render({ model, el }) {
    el.classList.add("cp-ft");
    el.innerHTML = `
      <div class="cp-ft-prompt" role="alertdialog" hidden>
        <span class="cp-ft-prompt-text"></span>
        <button type="button" class="cp-ft-yes"></button>
        <button type="button" class="cp-ft-no">Cancel</button>
      </div>
      <div class="cp-ft-head" role="row"></div>
      <div class="cp-ft-body" tabindex="0" role="grid" aria-multiselectable="true" aria-label="Files">
        <div class="cp-ft-spacer"></div>
        <div class="cp-ft-empty" hidden></div>
      </div>
      <div class="cp-ft-foot"></div>`;
    const head = el.querySelector(".cp-ft-head");
    const body = el.querySelector(".cp-ft-body");
    const spacer = el.querySelector(".cp-ft-spacer");
    const empty = el.querySelector(".cp-ft-empty");
    const foot = el.querySelector(".cp-ft-foot");
    const prompt = el.querySelector(".cp-ft-prompt");
    const yes = el.querySelector(".cp-ft-yes");
    const no = el.querySelector(".cp-ft-no");

    let version = -1;
    let count = 0;
    let cache = new Map();   // index -> row, for `version`
    let asked = new Set();   // blocks requested for `version`
    let selected = new Set(); // indices
    let anchor = -1;
    let cursor = -1;
    const shown = new Map(); // index -> row element in the DOM

    // --- header ------------------------------------------------------------------------------
    head.append(Object.assign(document.createElement("span"), { className: "cp-ft-iconcol" }));
    for (const col of COLUMNS) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `cp-ft-sort ${col.cls}`;
      button.dataset.key = col.key;
      button.setAttribute("role", "columnheader");
      button.title = `Sort by ${col.label.toLowerCase()}`;
      button.addEventListener("click", () => {
        const same = model.get("sort_by") === col.key;
        model.set("sort_descending", same ? !model.get("sort_descending") : col.key === "modified" || col.key === "size");
        model.set("sort_by", col.key);
        model.save_changes();
      });
      head.append(button);
    }
    function drawHead() {
      for (const button of head.querySelectorAll(".cp-ft-sort")) {
        const col = COLUMNS.find((c) => c.key === button.dataset.key);
        const on = model.get("sort_by") === col.key;
        const down = model.get("sort_descending");
        button.textContent = col.label + (on ? (down ? " ↓" : " ↑") : "");
        button.setAttribute("aria-sort", on ? (down ? "descending" : "ascending") : "none");
        button.classList.toggle("cp-ft-sorted", on);
      }
    }

    // --- rows --------------------------------------------------------------------------------
    function loadVersion() {
      version = model.get("version");
      count = model.get("row_count");
      cache = new Map();
      asked = new Set();
      model.get("head").forEach((row, i) => cache.set(i, row));
      for (const node of shown.values()) node.remove();
      shown.clear();
      readSelection();
      spacer.style.height = `${count * ROW_H}px`;
      empty.hidden = count > 0;
      empty.textContent = model.get("empty_text");
      if (cursor >= count) cursor = count - 1;
      draw();
    }

    function readSelection() {
      selected = new Set();
      for (const [start, end] of model.get("selected_ranges")) {
        for (let i = start; i < end && i < count; i++) selected.add(i);
      }
      const c = model.get("cursor");
      cursor = c >= 0 && c < count ? c : -1;
      if (anchor < 0 || anchor >= count || !selected.has(anchor)) anchor = cursor;
    }

    function ask(index) {
      const block = Math.floor(index / BLOCK);
      if (asked.has(block)) return;
      asked.add(block);
      model.send({ type: "rows", version, start: block * BLOCK, count: BLOCK });
    }

    function rowNode(index, row) {
      const node = document.createElement("div");
      node.className = "cp-ft-row";
      node.setAttribute("role", "row");
      node.dataset.index = String(index);
      node.style.top = `${index * ROW_H}px`;
      if (!row) {
        node.classList.add("cp-ft-pending");
        node.innerHTML = '<span class="cp-ft-iconcol"></span><span class="cp-ft-name">…</span>';
        return node;
      }
      const [id, kind, name, size, modified, owner, opens] = row;
      node.dataset.id = id;
      if (opens) node.classList.add("cp-ft-opens");
      const cells = [
        ["cp-ft-iconcol", icon(kind), true],
        ["cp-ft-name", name, false],
        ["cp-ft-size", humanBytes(size), false],
        ["cp-ft-modified", when(modified), false],
        ["cp-ft-owner", owner || "", false],
      ];
      for (const [cls, content, isHtml] of cells) {
        const cell = document.createElement("span");
        cell.className = cls;
        cell.setAttribute("role", "gridcell");
        if (isHtml) cell.innerHTML = content;
        else { cell.textContent = content; if (content) cell.title = content; }
        node.append(cell);
      }
      return node;
    }

    function draw() {
      const top = body.scrollTop;
      const height = body.clientHeight || 400;
      const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
      const last = Math.min(count, Math.ceil((top + height) / ROW_H) + OVERSCAN);
      for (const [index, node] of shown) {
        if (index < first || index >= last) { node.remove(); shown.delete(index); }
      }
      for (let i = first; i < last; i++) {
        const row = cache.get(i);
        if (!row) ask(i);
        let node = shown.get(i);
        if (node && node.classList.contains("cp-ft-pending") && row) { node.remove(); node = null; }
        if (!node) { node = rowNode(i, row); shown.set(i, node); body.append(node); }
        node.classList.toggle("cp-ft-selected", selected.has(i));
        node.classList.toggle("cp-ft-cursor", i === cursor);
        node.setAttribute("aria-selected", String(selected.has(i)));
      }
      const n = selected.size;
      foot.textContent = `${count.toLocaleString()} item${count === 1 ? "" : "s"}` +
        (n ? ` · ${n.toLocaleString()} selected` : "");
    }

    // --- selection ---------------------------------------------------------------------------
    function ranges() {
      const sorted = [...selected].sort((a, b) => a - b);
      const out = [];
      for (const i of sorted) {
        const last = out[out.length - 1];
        if (last && last[1] === i) last[1] = i + 1; else out.push([i, i + 1]);
      }
      return out;
    }
    // Each selection sent is numbered; the kernel echoes the number it applied (`page_seq`), so an
    // echo of an older click that arrives after newer keys is not allowed to undo them.
    let sentSeq = 0;
    function tell() {
      sentSeq += 1;
      model.send({ type: "select", version, ranges: ranges(), cursor, seq: sentSeq });
    }
    function selectRange(a, b) {
      selected = new Set();
      for (let i = Math.min(a, b); i <= Math.max(a, b); i++) selected.add(i);
    }
    function moveTo(index, { extend = false, keep = false } = {}) {
      if (!count) return;
      index = Math.max(0, Math.min(count - 1, index));
      cursor = index;
      if (extend) { if (anchor < 0) anchor = index; selectRange(anchor, index); }
      else if (!keep) { anchor = index; selected = new Set([index]); }
      const top = index * ROW_H;
      if (top < body.scrollTop) body.scrollTop = top;
      else if (top + ROW_H > body.scrollTop + body.clientHeight) body.scrollTop = top + ROW_H - body.clientHeight;
      draw();
      tell();
    }

    body.addEventListener("scroll", () => requestAnimationFrame(draw));
    body.addEventListener("click", (event) => {
      const node = event.target.closest(".cp-ft-row");
      if (!node) return;
      const index = Number(node.dataset.index);
      body.focus({ preventScroll: true });
      if (event.shiftKey) {
        cursor = index;
        selectRange(anchor < 0 ? index : anchor, index);
      } else if (event.ctrlKey || event.metaKey) {
        cursor = anchor = index;
        if (selected.has(index)) selected.delete(index); else selected.add(index);
      } else {
        cursor = anchor = index;
        selected = new Set([index]);
      }
      draw();
      tell();
    });
    body.addEventListener("dblclick", (event) => {
      const node = event.target.closest(".cp-ft-row");
      if (node && node.dataset.id) model.send({ type: "open", id: node.dataset.id });
    });
    body.addEventListener("keydown", (event) => {
      const page = Math.max(1, Math.floor(body.clientHeight / ROW_H) - 1);
      const extend = event.shiftKey;
      const keep = event.ctrlKey || event.metaKey;
      const moves = { ArrowDown: cursor + 1, ArrowUp: cursor - 1, PageDown: cursor + page, PageUp: cursor - page,
                      Home: 0, End: count - 1 };
      if (event.key === "ArrowUp" && event.altKey) {
        event.preventDefault();
        model.send({ type: "up" });
      } else if (event.key in moves) {
        event.preventDefault();
        moveTo(cursor < 0 && event.key === "ArrowDown" ? 0 : moves[event.key], { extend, keep });
      } else if (event.key === " " && keep && cursor >= 0) {
        event.preventDefault();
        if (selected.has(cursor)) selected.delete(cursor); else selected.add(cursor);
        draw();
        tell();
      } else if ((event.key === "a" || event.key === "A") && keep) {
        event.preventDefault();
        selected = new Set(Array.from({ length: count }, (_, i) => i));
        draw();
        tell();
      } else if (event.key === "Enter" && cursor >= 0) {
        event.preventDefault();
        const row = cache.get(cursor);
        if (row) model.send({ type: "open", id: row[0] });
      } else if (event.key === "Backspace") {
        event.preventDefault();
        model.send({ type: "up" });
      } else if (event.key === "Delete") {
        event.preventDefault();
        model.send({ type: "action", name: "trash" });
      }
    });

    // --- prompt (a confirm asked by the kernel) ----------------------------------------------
    function drawPrompt() {
      const text = model.get("prompt");
      const was = !prompt.hidden;
      prompt.hidden = !text;
      prompt.querySelector(".cp-ft-prompt-text").textContent = text;
      yes.textContent = model.get("prompt_yes") || "Yes";
      if (text && !was) yes.focus();
      if (!text && was && el.contains(document.activeElement)) body.focus({ preventScroll: true });
    }
    const answer = (ok) => model.send({ type: "answer", yes: ok });
    yes.addEventListener("click", () => answer(true));
    no.addEventListener("click", () => answer(false));
    prompt.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); answer(false); }
    });

    // --- the kernel's side -------------------------------------------------------------------
    const onMsg = (msg) => {
      if (!msg || msg.type !== "rows" || msg.version !== version) return;
      msg.rows.forEach((row, i) => cache.set(msg.start + i, row));
      for (let i = msg.start; i < msg.start + msg.rows.length; i++) {
        const node = shown.get(i);
        if (node && node.classList.contains("cp-ft-pending")) { node.remove(); shown.delete(i); }
      }
      draw();
    };
    const onSelection = () => {
      if (model.get("page_seq") < sentSeq) return; // our own newer choice is on its way
      readSelection();
      draw();
    };
    const onEmpty = () => { empty.textContent = model.get("empty_text"); };
    model.on("msg:custom", onMsg);
    model.on("change:version", loadVersion);
    model.on("change:selected_ranges", onSelection);
    model.on("change:cursor", onSelection);
    model.on("change:sort_by", drawHead);
    model.on("change:sort_descending", drawHead);
    model.on("change:prompt", drawPrompt);
    model.on("change:prompt_yes", drawPrompt);
    model.on("change:empty_text", onEmpty);
    // Narrow outputs (Colab's are): drop the owner column first, then the date.
    const resize = typeof ResizeObserver === "function" ? new ResizeObserver(() => {
      const width = el.clientWidth;
      el.classList.toggle("cp-ft-narrow", width > 0 && width < 560);
      el.classList.toggle("cp-ft-narrower", width > 0 && width < 400);
      draw();
    }) : null;
    if (resize) resize.observe(el);

    drawHead();
    loadVersion();
    drawPrompt();
    requestAnimationFrame(draw); // the body's height is known once attached
    return () => {
      if (resize) resize.disconnect();
      model.off("msg:custom", onMsg);
      model.off("change:version", loadVersion);
      model.off("change:selected_ranges", onSelection);
      model.off("change:cursor", onSelection);
      model.off("change:sort_by", drawHead);
      model.off("change:sort_descending", drawHead);
      model.off("change:prompt", drawPrompt);
      model.off("change:prompt_yes", drawPrompt);
      model.off("change:empty_text", onEmpty);
    };
  },
};
