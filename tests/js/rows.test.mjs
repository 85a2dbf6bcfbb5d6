// Row merging (js/live_chart/rows.js): deltas in any order end as one ascending history.
import assert from "node:assert/strict";
import { test } from "node:test";

import { MAX_ROWS, Rows } from "../../js/live_chart/rows.js";

const delta = (t, cpu, markers) => ({ t, series: { cpu_percent: cpu }, markers });

test("newer rows are appended and counted; rows already held are not taken twice", () => {
  const rows = new Rows();
  assert.equal(rows.merge(delta([1, 2, 3], [10, 20, 30])), 3);
  assert.equal(rows.merge(delta([3, 4], [30, 40])), 1);
  assert.deepEqual(rows.t, [1, 2, 3, 4]);
  assert.deepEqual(rows.series.cpu_percent, [10, 20, 30, 40]);
  assert.equal(rows.received, 4);
  assert.equal(rows.lastT, 4);
  assert.equal(rows.prepended, false);
});

test("older rows (a snapshot answering hello after pushes) go in front", () => {
  const rows = new Rows();
  rows.merge(delta([5, 6], [50, 60]));
  assert.equal(rows.merge(delta([3, 4, 5, 6, 7], [30, 40, 50, 60, 70])), 1);
  assert.deepEqual(rows.t, [3, 4, 5, 6, 7]);
  assert.deepEqual(rows.series.cpu_percent, [30, 40, 50, 60, 70]);
  assert.equal(rows.prepended, true);
});

test("a column that starts late is null where it had no reading, never 0", () => {
  const rows = new Rows();
  rows.merge(delta([1, 2], [10, 20]));
  rows.merge({ t: [3], series: { cpu_percent: [30], "gpu0.power_w": [70] } });
  assert.deepEqual(rows.series["gpu0.power_w"], [null, null, 70]);
  assert.equal(rows.value("gpu0.power_w", 0), null);
  assert.equal(rows.value("no_such_column", 2), null);
  rows.merge({ t: [4], series: { "gpu0.power_w": [71] } });
  assert.equal(rows.value("cpu_percent", 3), null);
});

test("markers are kept once each, however often they are sent", () => {
  const rows = new Rows();
  const start = { t: 2, label: "▶ cell 3" };
  rows.merge(delta([1, 2], [1, 2], [start]));
  rows.merge(delta([3], [3], [start, { t: 3, label: "■ cell 3" }]));
  assert.deepEqual(rows.markers.map((m) => m.label), ["▶ cell 3", "■ cell 3"]);
});

test("the history is capped at what the kernel keeps, dropping the oldest rows", () => {
  const rows = new Rows();
  const t = Array.from({ length: MAX_ROWS + 10 }, (_, i) => i);
  rows.merge(delta(t, t));
  assert.equal(rows.t.length, MAX_ROWS);
  assert.equal(rows.t[0], 10);
  assert.equal(rows.series.cpu_percent[0], 10);
});
