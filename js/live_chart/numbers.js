// The numbers strip above the charts: the newest row as chips (GPU use, memory, temperature,
// power; host CPU, RAM, this kernel, torch), live even before plotly.js has arrived.

import { escapeHtml, fmt, fmtBytes, level, share } from "./format.js";

/** @typedef {import("./protocol.js").Meta} Meta */
/** @typedef {import("./rows.js").Rows} Rows */

/** The strip's HTML for the newest row of `rows`. @param {Rows} rows @param {Meta|null} meta */
export function numbersHtml(rows, meta) {
  const i = rows.t.length - 1;
  const chips = [];
  const chip = (text, lvl = "") => chips.push(`<span class="cp-lc-chip${lvl ? " cp-lc-" + lvl : ""}">${text}</span>`);
  const gpus = (meta && meta.gpus) || [];
  for (const g of gpus) {
    if (g.lost) { chip(`GPU ${g.index}: lost`, "bad"); continue; }
    const used = rows.value(`gpu${g.index}.memory_used_bytes`, i);
    const s = share(used, g.memory_total_bytes);
    // With many GPUs the header already names them; the chips keep to the numbers.
    const name = gpus.length > 2 ? "" : ` ${escapeHtml(g.name || "")}`;
    chip(`<b>GPU ${g.index}</b>${name} · ${fmt(rows.value(`gpu${g.index}.utilization_gpu_percent`, i), " %")}` +
         ` · ${fmtBytes(used)} / ${fmtBytes(g.memory_total_bytes)}` +
         ` · ${fmt(rows.value(`gpu${g.index}.temperature_c`, i), " °C")} · ${fmt(rows.value(`gpu${g.index}.power_w`, i), " W")}`,
         level(s));
  }
  if (i >= 0) {
    chip(`<b>CPU</b> ${fmt(rows.value("cpu_percent", i), " %")}`);
    const ramUsed = rows.value("ram_used_bytes", i);
    const ramTotal = meta && meta.ram_total_bytes;
    chip(`<b>RAM</b> ${fmtBytes(ramUsed)} / ${fmtBytes(ramTotal)}`, level(share(ramUsed, ramTotal)));
    chip(`<b>This kernel</b> ${fmtBytes(rows.value("kernel_rss_bytes", i))}`);
    const torch = rows.value("torch_allocated_bytes", i);
    if (torch != null) chip(`<b>torch</b> ${fmtBytes(torch)} allocated`);
  }
  return chips.join("");
}
