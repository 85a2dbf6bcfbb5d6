// A hidden heartbeat: asks the kernel to refresh every `interval_ms` while this view is shown.
// Driving refreshes from the page (not a kernel thread) works in Colab too, where widget
// updates sent from background threads are dropped; the timer dies with the view.
export default {
  render({ model, el }) {
    el.style.display = "none";
    const tick = () => model.send({ type: "tick" });
    let id = setInterval(tick, model.get("interval_ms"));
    const restart = () => {
      clearInterval(id);
      id = setInterval(tick, model.get("interval_ms"));
    };
    model.on("change:interval_ms", restart);
    return () => {
      clearInterval(id);
      model.off("change:interval_ms", restart);
    };
  },
};
