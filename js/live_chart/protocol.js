// What the kernel sends the chart, as JSDoc types (nothing here runs). Python side:
// colab_panel/controllers/monitor.py (chart_snapshot, chart_meta, add_chart_listener),
// colab_panel/monitor/sampler.py (`since`: the rows), colab_panel/widgets/live_chart.py (the
// widget's messages) and colab_panel/monitor/endpoint.py (`samples?since=`, for the frame).

/**
 * One GPU, as `chart_meta()` describes it.
 * @typedef {object} GpuMeta
 * @property {number} index  NVML's index; columns are named `gpu<index>.<reading>`
 * @property {string|null} name
 * @property {number|null} memory_total_bytes
 * @property {boolean} lost  the GPU fell off the bus: no readings any more
 */

/**
 * What the chart cannot derive from rows (`chart_meta()`).
 * @typedef {object} Meta
 * @property {GpuMeta[]} gpus
 * @property {number|null} ram_total_bytes
 * @property {string|null} gpu_status  why there is no GPU, in words (null when there is one)
 */

/**
 * A cell's start ("▶ <cell>") or end, drawn as a vertical line.
 * @typedef {object} Marker
 * @property {number} t  wall-clock seconds
 * @property {string} label
 */

/**
 * Columnar rows (`Sampler.since()`): only rows newer than what was sent before, as a rule.
 * @typedef {object} RowData
 * @property {number[]} t  wall-clock seconds, ascending
 * @property {Object<string, Array<number|null>>} series  column -> one value per row, null: no
 *   reading (e.g. "cpu_percent", "ram_used_bytes", "kernel_rss_bytes", "torch_allocated_bytes",
 *   "gpu0.utilization_gpu_percent", "gpu0.memory_used_bytes", "gpu0.temperature_c", "gpu0.power_w")
 * @property {Marker[]} [markers]
 * @property {number|null} [until]  pass back as the next `since`
 * @property {Latest} [latest]  the endpoint's `samples?latest=1` only
 */

/**
 * The sampler's full current readings (`Sampler.latest()`); the frame takes its meta from it.
 * @typedef {object} Latest
 * @property {Array<{index: number, name: string|null, memory_total_bytes: number|null, lost: boolean}>} gpus
 * @property {{ram_total_bytes: number|null}|null} host
 * @property {string|null} gpu_status
 */

/**
 * A message from the kernel over the widget's comm (`msg:custom`).
 * @typedef {{type: "snapshot", meta: Meta, data: RowData}
 *   | {type: "delta", data: RowData}
 *   | {type: "meta", meta: Meta}
 *   | {type: "error", message: string}
 *   | {type: "plotly", gzip: boolean}
 *   | {type: "ticket", ticket: string}} KernelMessage
 * "plotly" comes with the bundle as its one binary buffer.
 */

/**
 * The widget model, as far as the chart uses it (an anywidget model, or chart_frame.js's stand-in).
 * @typedef {object} ChartModel
 * @property {(name: string) => any} get  transport ("comm" | "http" | "poll"), window_s,
 *   interval_s, paused, plotly_gz, first_snapshot, frame_ticket, endpoint_port, session
 * @property {(event: string, fn: Function) => void} on
 * @property {(event: string, fn: Function) => void} off
 * @property {(content: object) => void} send  to the kernel: hello, status, no_proxy
 */

export {};
