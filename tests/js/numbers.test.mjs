// The numbers strip (js/live_chart/numbers.js) and the frame's meta (feeds.js): the newest row in words.
import assert from "node:assert/strict";
import { test } from "node:test";

import { metaFromLatest } from "../../js/live_chart/feeds.js";
import { numbersHtml } from "../../js/live_chart/numbers.js";
import { Rows } from "../../js/live_chart/rows.js";

const GB = 1024 ** 3;

test("the newest row's readings, n/a where there is none, a warning level near full", () => {
  const meta = { gpus: [{ index: 0, name: "Tesla <T4>", memory_total_bytes: 16 * GB, lost: false }],
                 ram_total_bytes: 12 * GB, gpu_status: null };
  const rows = new Rows();
  rows.merge({ t: [1, 2], series: { "gpu0.utilization_gpu_percent": [10, 97], "gpu0.memory_used_bytes": [GB, 15 * GB],
                                    "gpu0.temperature_c": [50, null], cpu_percent: [5, 7],
                                    ram_used_bytes: [GB, 2 * GB], kernel_rss_bytes: [512 * 1024 ** 2, 600 * 1024 ** 2] } });
  const html = numbersHtml(rows, meta);
  assert.match(html, /<b>GPU 0<\/b> Tesla &lt;T4&gt; · 97 % · 15\.0 GB \/ 16\.0 GB · n\/a · n\/a/);
  assert.match(html, /cp-lc-chip cp-lc-bad"><b>GPU 0/);
  assert.match(html, /<b>CPU<\/b> 7 %/);
  assert.match(html, /<b>RAM<\/b> 2\.0 GB \/ 12\.0 GB/);
  assert.match(html, /<b>This kernel<\/b> 600 MB/);
  assert.doesNotMatch(html, /torch/);
});

test("a lost GPU says so; before any row there are no host chips", () => {
  const meta = { gpus: [{ index: 0, name: "A100", memory_total_bytes: 40 * GB, lost: true }],
                 ram_total_bytes: null, gpu_status: null };
  assert.equal(numbersHtml(new Rows(), meta), '<span class="cp-lc-chip cp-lc-bad">GPU 0: lost</span>');
});

test("the frame builds its meta from the endpoint's latest readings", () => {
  const latest = { gpus: [{ index: 0, name: "T4", memory_total_bytes: 15 * GB, lost: false, temperature_c: 40 }],
                   host: { ram_total_bytes: 12 * GB, cpu_percent: 3 }, gpu_status: null };
  assert.deepEqual(metaFromLatest(latest), {
    gpus: [{ index: 0, name: "T4", memory_total_bytes: 15 * GB, lost: false }],
    ram_total_bytes: 12 * GB, gpu_status: null });
  assert.equal(metaFromLatest({ gpus: [], host: null, gpu_status: "No GPU." }).ram_total_bytes, null);
});
