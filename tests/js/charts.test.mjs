// Windowing and chart specs (js/live_chart/charts.js): what each chart draws from the rows held.
import assert from "node:assert/strict";
import { test } from "node:test";

import { chartSpecs, layoutFor, tracesFor, xOf, xRange } from "../../js/live_chart/charts.js";
import { Rows } from "../../js/live_chart/rows.js";

function rowsOver(seconds, start = 1_700_000_000) {
  const rows = new Rows();
  const t = Array.from({ length: seconds + 1 }, (_, i) => start + i);
  rows.merge({ t, series: { cpu_percent: t.map((_, i) => i % 100), ram_used_bytes: t.map(() => 4 * 1024 ** 3) } });
  return rows;
}

const HOST_ONLY = { gpus: [], ram_total_bytes: 16 * 1024 ** 3, gpu_status: "No NVIDIA GPU." };

test("the x range is the chosen window once there is that much history", () => {
  const rows = rowsOver(1000);
  assert.deepEqual(xRange(rows, 300), [xOf(rows.lastT - 300), xOf(rows.lastT)]);
});

test("a young session is drawn over at least a minute, not as a sliver at the right edge", () => {
  assert.deepEqual(xRange(rowsOver(10), 300), [xOf(rowsOver(10).lastT - 60), xOf(rowsOver(10).lastT)]);
  const rows = rowsOver(200);
  assert.deepEqual(xRange(rows, 300), [xOf(rows.lastT - 200), xOf(rows.lastT)]);
});

test("traces hold the rows of the window only", () => {
  const rows = rowsOver(1000);
  const [host] = chartSpecs(HOST_ONLY);
  const [cpu, ram] = tracesFor(host, rows, 300);
  assert.equal(cpu.x.length, 301);
  assert.equal(cpu.x[0], xOf(rows.lastT - 300));
  assert.equal(cpu.y.at(-1), 1000 % 100);
  assert.equal(ram.y[0], 25); // 4 of 16 GB, in percent
});

test("without GPUs there is one chart, host CPU and RAM, with its warning bands", () => {
  const specs = chartSpecs(HOST_ONLY);
  assert.deepEqual(specs.map((s) => s.key), ["host"]);
  assert.deepEqual(specs[0].traces.map((t) => t.name), ["CPU", "RAM (16.0 GB)"]);
  assert.equal(layoutFor(specs[0], rowsOver(10), 300).shapes.length, 2);
});

test("each GPU gets a line in the utilization and memory charts; memory in percent of its total", () => {
  const meta = { gpus: [{ index: 0, name: "Tesla T4", memory_total_bytes: 16 * 1024 ** 3, lost: false },
                        { index: 1, name: "Tesla T4", memory_total_bytes: 16 * 1024 ** 3, lost: false }],
                 ram_total_bytes: null, gpu_status: null };
  const rows = new Rows();
  rows.merge({ t: [1, 2], series: { "gpu1.memory_used_bytes": [null, 8 * 1024 ** 3] } });
  const specs = chartSpecs(meta);
  assert.deepEqual(specs.map((s) => s.key), ["gpu-util", "gpu-mem", "host"]);
  const memory = tracesFor(specs[1], rows, 300);
  assert.deepEqual(memory.map((t) => t.y), [[null, null], [null, 50]]);
});

test("cell markers in the window become lines, a start also a label", () => {
  const rows = rowsOver(100);
  rows.merge({ t: [], series: {}, markers: [{ t: rows.lastT - 50, label: "▶ train" },
                                           { t: rows.lastT - 10, label: "■ train" },
                                           { t: rows.lastT - 500, label: "▶ too old" }] });
  const layout = layoutFor(chartSpecs(HOST_ONLY)[0], rows, 300);
  assert.equal(layout.shapes.length, 2 + 2);
  assert.deepEqual(layout.annotations.map((a) => a.text), ["train"]);
});
