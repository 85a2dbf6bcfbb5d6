// ipywidgets 7's controls use jquery-ui's slider, whose UMD wrapper reaches for a global jQuery
// and expects its AMD dependencies (version, widget, keycode, mouse) loaded before it (webpack
// did both for ipywidgets 7.7.1's bundle). esbuild injects this module wherever `jQuery` is read
// as a global; it loads those dependencies in order.
import $ from "jquery";
import "jquery-ui/ui/version";
import "jquery-ui/ui/widget";
import "jquery-ui/ui/keycode";
import "jquery-ui/ui/widgets/mouse";

export { $ as jQuery };
