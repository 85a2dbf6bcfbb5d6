// A minimal @jupyter-widgets/output: shows the model's `outputs` through the environment's
// renderOutput (what an Output widget's append_stdout / append_display_data fill).
export function outputModule(base) {
  class OutputModel extends base.DOMWidgetModel {
    defaults() {
      return { ...super.defaults(), _model_name: "OutputModel", _model_module: "@jupyter-widgets/output",
               _view_name: "OutputView", _view_module: "@jupyter-widgets/output", outputs: [], msg_id: "" };
    }
  }
  class OutputView extends base.DOMWidgetView {
    render() {
      this.el.classList.add("jupyter-widgets-output-area");
      this.update();
      this.listenTo(this.model, "change:outputs", () => this.update());
    }
    update() {
      this.el.textContent = "";
      for (const item of this.model.get("outputs") || []) {
        const box = document.createElement("div");
        this.el.appendChild(box);
        this.model.widget_manager.renderOutput(item, box);
      }
    }
  }
  return { OutputModel, OutputView };
}
