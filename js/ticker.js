// A hidden heartbeat: asks the kernel to refresh when this view is shown and every `interval_ms`.
// Driving refreshes from the page (not a kernel thread) works in Colab too, where widget
// updates sent from background threads are dropped; the timer dies with the view.
export default {
  render({ model, el }) {
    el.style.display = "none";
    const tick = () => model.send({ type: "tick" });
    tick(); // at once: the kernel finishes building the panel as soon as the page shows it
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
