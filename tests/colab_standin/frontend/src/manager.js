// The stand-in's widget managers. createWidgetManager(environment) follows the public contract
// of Colab's custom widget manager module (googlecolab/colab-cdn-widget-manager src/api.ts): the
// output frame passes an environment with getModelState(id), openCommChannel(target, data,
// buffers) and renderOutput(item, element); the manager renders a model id into an element.
//
// This file takes the @jupyter-widgets modules as arguments, so two builds share it:
// - custom.js (what enable_custom_widget_manager()'s metadata URL names): on the versions Colab's
//   custom manager pins (base 5.0.0-alpha.3, base-manager 1.0.0-alpha.2, controls
//   4.0.0-alpha.3); core modules are built in, any other module is fetched as an AMD script from
//   the CDN, like https://cdn.jsdelivr.net/npm/<pkg>@<version>/dist/index.js (here: the frame
//   origin's /cdn/npm/);
// - builtin.js (what an output without that metadata gets): ipywidgets 7.7.1's own front end
//   (base 4.1.1, controls 3.1.1), core modules only; any other module shows a notice in place of
//   the widget, the meaning of Colab's "third-party widgets" notice.

import { outputModule } from "./output.js";

export const CORE_MODULES = ["@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"];

export class UnsupportedWidget extends Error {
  constructor(moduleName, className) {
    super(`Widget ${moduleName} ${className} is not supported`);
    this.name = "UnsupportedWidget";
    this.moduleName = moduleName;
    this.className = className;
  }
}

// jsdelivr's layout: "<pkg>@<version>/dist/index.js", or "<pkg>@<version>/<subpath>[.js]" for
// "pkg/subpath"; a "^" range is passed as its bare version.
export function cdnUrl(cdnBase, moduleName, moduleVersion) {
  const parts = moduleName.split("/");
  let pkg = parts.shift();
  if (pkg.startsWith("@") && parts.length) pkg = `${pkg}/${parts.shift()}`;
  let file = "dist/index.js";
  if (parts.length) {
    file = parts.join("/");
    if (!file.includes(".")) file += ".js";
  }
  let version = moduleVersion || "*";
  if (version.startsWith("^")) version = version.slice(1);
  return new URL(`${pkg}@${version}/${file}`, cdnBase).toString();
}

// A small AMD registry: modules defined here, or fetched once from the CDN and evaluated with a
// private `define` (no global requirejs, as in Colab's output frames).
class AmdModules {
  constructor(cdnBase) {
    this.cdnBase = cdnBase;
    this.modules = new Map();
  }
  provide(name, exports) {
    this.modules.set(name, Promise.resolve(exports));
  }
  load(name, version) {
    if (!this.modules.has(name)) this.modules.set(name, this.fetchModule(name, version));
    return this.modules.get(name);
  }
  async fetchModule(name, version) {
    const url = cdnUrl(this.cdnBase, name, version);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`Could not load ${name}@${version} from ${url}: HTTP ${response.status}`);
    const source = await response.text();
    let found = null;
    const define = (...args) => {
      const factory = args.pop();
      const deps = Array.isArray(args[args.length - 1]) ? args.pop() : [];
      if (!found) found = { deps, factory };
    };
    define.amd = {};
    new Function("define", `${source}\n//# sourceURL=${url}`)(define);
    if (!found) throw new Error(`${url} is not an AMD module (it called no define())`);
    const deps = await Promise.all(found.deps.map((dep) => this.load(dep)));
    return typeof found.factory === "function" ? found.factory(...deps) : found.factory;
  }
}

// The classic comm interface @jupyter-widgets/base expects, over the environment's comm channel
// (send(data, {buffers}), close(), and an async iterable of {data, buffers}).
class ClassicComm {
  constructor(id, channel) {
    this.comm_id = id;
    this.target_name = "jupyter.widget";
    this.channel = channel;
  }
  open() {
    throw new Error("comms are opened through the environment");
  }
  send(data, callbacks, metadata, buffers) {
    const views = (buffers || []).map((b) => (ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b));
    this.channel.send(JSON.parse(JSON.stringify(data)), { buffers: views }).then(() => {
      // The model waits for "idle" before sending its next update; Colab's frame cannot tell
      // when the kernel handled it, so it answers once the message is on its way.
      callbacks?.iopub?.status?.({ content: { execution_state: "idle" } });
    });
    return "";
  }
  close() {
    this.channel.close();
    return "";
  }
  on_msg(callback) {
    (async () => {
      for await (const message of this.channel.messages) {
        try {
          callback({ content: { comm_id: this.comm_id, data: message.data },
                     buffers: (message.buffers || []).map((b) => new DataView(b instanceof ArrayBuffer ? b : b.buffer)) });
        } catch (error) {
          console.error(error);
        }
      }
    })();
  }
  on_close(callback) {
    (async () => {
      // eslint-disable-next-line no-unused-vars
      for await (const _ of this.channel.messages) { /* drain: the iterator ends at close */ }
      callback({ content: { comm_id: this.comm_id } });
    })();
  }
}

function defineManager({ base, controls, ManagerBase }) {
 return class StandinManager extends ManagerBase {
  constructor(environment, { coreOnly, cdnBase }) {
    super();
    this.environment = environment;
    this.coreOnly = coreOnly;
    this.pending = new Map();
    this.amd = new AmdModules(cdnBase);
    this.amd.provide("@jupyter-widgets/base", base);
    this.amd.provide("@jupyter-widgets/controls", controls);
    this.amd.provide("@jupyter-widgets/output", outputModule(base));
  }

  async loadClass(className, moduleName, moduleVersion) {
    if (this.coreOnly && !CORE_MODULES.includes(moduleName)) throw new UnsupportedWidget(moduleName, className);
    const exports = await this.amd.load(moduleName, moduleVersion);
    const cls = exports && exports[className];
    if (!cls) throw new Error(`Class ${className} not found in module ${moduleName}@${moduleVersion}`);
    return cls;
  }

  async _create_comm(target, modelId, data, metadata, buffers) {
    const channel = await this.environment.openCommChannel(target, data, buffers);
    return new ClassicComm(channel.id || modelId || "", channel);
  }

  _get_comm_info() {
    return Promise.resolve({});
  }

  // Models are created on first need from the state the page kept since the kernel's comm_open.
  get_model(modelId) {
    const known = super.get_model(modelId);
    if (known) return known;
    if (!this.pending.has(modelId)) {
      this.pending.set(modelId, (async () => {
        const state = await this.environment.getModelState(modelId);
        if (!state) throw new Error(`Widget model ${modelId} not found`);
        return this.new_model({
          model_name: state.modelName, model_module: state.modelModule,
          model_module_version: state.modelModuleVersion, model_id: modelId,
          comm: state.comm ? new ClassicComm(modelId, state.comm) : undefined,
        }, state.state);
      })());
    }
    return this.pending.get(modelId);
  }

  async render(modelId, container) {
    try {
      const model = await this.get_model(modelId);
      const view = await this.create_view(model);
      const widget = view.luminoWidget || view.pWidget; // base 5 alpha || base 4
      widget.constructor.attach(widget, container); // Widget.attach of the lumino copy it uses
    } catch (error) {
      const unsupported = findUnsupported(error);
      const box = document.createElement("div");
      if (unsupported) {
        box.className = "colab-standin-unsupported";
        box.textContent = `This output uses a widget from outside ipywidgets (${unsupported.moduleName} ` +
          `${unsupported.className}), which this output does not load. Third-party widgets need ` +
          "to be turned on first: from google.colab import output; output.enable_custom_widget_manager()";
      } else {
        box.className = "colab-standin-widget-error";
        box.textContent = `Error rendering widget: ${error && error.message ? error.message : error}`;
      }
      container.appendChild(box);
      throw error;
    }
  }

  renderOutput(item, element) {
    return this.environment.renderOutput(item, element);
  }

  // base 4's ManagerBase asks for it (display_model); outputs are rendered through render().
  display_view(msg, view) {
    return Promise.resolve(view);
  }
 };
}

function findUnsupported(error) {
  for (let e = error, depth = 0; e && depth < 10; e = e.cause || e.error, depth += 1) {
    if (e instanceof UnsupportedWidget) return e;
  }
  return null;
}

export function makeManagerFactory({ base, controls, ManagerBase, coreOnly, moduleUrl, css, cdnCss = [] }) {
  const cdnBase = new URL("../cdn/npm/", moduleUrl).toString();
  for (const href of [new URL(css, moduleUrl).toString(), ...cdnCss.map((path) => cdnBase + path)]) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }
  const StandinManager = defineManager({ base, controls, ManagerBase });
  return (environment) => new StandinManager(environment, { coreOnly, cdnBase });
}
