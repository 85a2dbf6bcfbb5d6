// The rows a view holds: columnar deltas from the kernel merged in time order, at most the
// kernel's history (see protocol.js for what a delta holds).

/** @typedef {import("./protocol.js").RowData} RowData */

export const MAX_ROWS = 3600; // what the kernel's history holds (1 h at 1 Hz)

export class Rows {
  constructor() {
    this.t = [];
    this.series = {};
    this.markers = [];
    this.markerKeys = new Set();
    this.received = 0;
  }

  get lastT() { return this.t.length ? this.t[this.t.length - 1] : null; }

  // Adds rows newer than what we hold (returns how many) and older ones in front (sets
  // `this.prepended`); rows in between are ones we already have.
  /** @param {RowData} data */
  merge(data) {
    const times = data.t || [];
    const series = data.series || {};
    const first = this.t.length ? this.t[0] : Infinity;
    const last = this.lastT ?? -Infinity;
    const older = [];
    const newer = [];
    times.forEach((t, i) => { if (t > last) newer.push(i); else if (t < first) older.push(i); });
    const columns = new Set([...Object.keys(this.series), ...Object.keys(series)]);
    for (const name of columns) {
      if (!this.series[name]) this.series[name] = new Array(this.t.length).fill(null);
      const incoming = series[name] || [];
      const pick = (i) => (incoming[i] === undefined ? null : incoming[i]);
      this.series[name] = [...older.map(pick), ...this.series[name], ...newer.map(pick)];
    }
    this.t = [...older.map((i) => times[i]), ...this.t, ...newer.map((i) => times[i])];
    for (const m of data.markers || []) {
      const key = `${m.t}|${m.label}`;
      if (!this.markerKeys.has(key)) { this.markerKeys.add(key); this.markers.push(m); }
    }
    const excess = this.t.length - MAX_ROWS;
    if (excess > 0) {
      this.t.splice(0, excess);
      for (const name in this.series) this.series[name].splice(0, excess);
    }
    this.received += newer.length + older.length;
    this.prepended = older.length > 0;
    return newer.length;
  }

  value(name, i) {
    const column = this.series[name];
    return column && i < column.length ? column[i] : null;
  }
}
