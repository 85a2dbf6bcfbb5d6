// The "custom widget manager" the kernel's enable_custom_widget_manager() names in metadata.
import { makeManagerFactory } from "./manager.js";

export const createWidgetManager = makeManagerFactory(false, import.meta.url);
