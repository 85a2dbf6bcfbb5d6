// The output frame's own manager: core ipywidgets models only.
import { makeManagerFactory } from "./manager.js";

export const createWidgetManager = makeManagerFactory(true, import.meta.url);
