// A small-file picker: the browser reads the chosen file and sends its bytes to the kernel in one
// custom message (a binary buffer), never through a synced trait, so neither side keeps the
// content in the widget's state. ipywidgets' FileUpload does not render under Colab's widget
// manager; this works wherever anywidget does. Files over `max_bytes` are not read at all: the
// kernel is told the name and size and answers in words.

export default {
  render({ model, el }) {
    el.classList.add("cp-file-picker");
    const input = document.createElement("input");
    input.type = "file";
    input.className = "cp-file-picker-input";
    input.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cp-file-picker-button";

    const paint = () => {
      button.textContent = model.get("label");
      button.title = model.get("hint");
      input.accept = model.get("accept");
      button.disabled = model.get("disabled");
    };

    button.addEventListener("click", () => input.click());
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      try {
        if (file.size > model.get("max_bytes")) {
          model.send({ type: "too_big", name: file.name, size: file.size });
          return;
        }
        const data = await file.arrayBuffer();
        model.send({ type: "file", name: file.name, size: file.size }, undefined, [data]);
      } catch (err) {
        model.send({ type: "read_failed", name: file.name, error: String(err && err.message || err) });
      } finally {
        input.value = ""; // forget the choice: the same file can be chosen again, and no copy stays
      }
    });

    model.on("change:label", paint);
    model.on("change:hint", paint);
    model.on("change:accept", paint);
    model.on("change:disabled", paint);
    paint();
    el.append(button, input);
    return () => {
      model.off("change:label", paint);
      model.off("change:hint", paint);
      model.off("change:accept", paint);
      model.off("change:disabled", paint);
    };
  },
};
