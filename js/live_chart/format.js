// Numbers in words for the chart's chips, keys and notes: shares of a total and their warning
// level, bytes, units, and HTML escaping.

export const WARN_SHARE = 0.8;
export const FULL_SHARE = 0.9;
const GB = 1024 ** 3;

export function share(used, total) {
  return used == null || !total ? null : used / total;
}

export function level(s) {
  return s == null ? "" : s > FULL_SHARE ? "bad" : s > WARN_SHARE ? "warn" : "";
}

export function fmtBytes(n) {
  if (n == null) return "n/a";
  return n >= GB ? `${(n / GB).toFixed(1)} GB` : `${Math.round(n / 1024 ** 2)} MB`;
}

export function fmt(v, unit, digits = 0) {
  return v == null ? "n/a" : `${Number(v).toFixed(digits)}${unit}`;
}

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
