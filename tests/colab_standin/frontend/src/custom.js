// The "custom widget manager" the kernel's enable_custom_widget_manager() names in metadata, on
// the @jupyter-widgets versions Colab's colab-cdn-widget-manager pins.
import * as base from "@jupyter-widgets/base";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import * as controls from "@jupyter-widgets/controls";

import { makeManagerFactory } from "./manager.js";

export const createWidgetManager = makeManagerFactory({
  base, controls, ManagerBase, coreOnly: false, moduleUrl: import.meta.url, css: "custom.css",
  // colab-cdn-widget-manager's index.ts adds font-awesome 4.7.0 from jsDelivr ("some widgets rely on it")
  cdnCss: ["font-awesome@4.7.0/css/font-awesome.min.css"],
});
