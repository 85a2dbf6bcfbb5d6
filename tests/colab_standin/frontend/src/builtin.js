// The output frame's own manager: core ipywidgets models only, on ipywidgets 7.7.1's front end.
// tools/build_colab_standin.sh bundles this file with @jupyter-widgets/base and /controls
// aliased to base 4.1.1 and controls 3.1.1 (package.json's base-4 and controls-3).
import * as base from "@jupyter-widgets/base";
import * as controls from "@jupyter-widgets/controls";

import { makeManagerFactory } from "./manager.js";

export const createWidgetManager = makeManagerFactory({
  base, controls, ManagerBase: base.ManagerBase, coreOnly: true, moduleUrl: import.meta.url,
  css: "builtin.css",
});
