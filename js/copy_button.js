// One-click copy of `text` to the clipboard, with a visible "Copied" state.
// navigator.clipboard needs a secure context and, inside an iframe (Colab's outputs), the
// clipboard-write permission; where it is missing or refused, a hidden textarea plus
// document.execCommand("copy") still works from the click. If both fail the text is shown
// selected so Ctrl+C finishes the job. Each outcome is reported to the kernel.

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return "clipboard";
    } catch (_err) {
      // fall through: blocked by permissions policy or a denied permission
    }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;";
  document.body.appendChild(area);
  area.focus();
  area.select();
  area.setSelectionRange(0, text.length);
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } finally {
    document.body.removeChild(area);
  }
  if (!ok) throw new Error("the browser refused to copy");
  return "execCommand";
}

export default {
  render({ model, el }) {
    el.classList.add("cp-copy");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cp-copy-button";
    const manual = document.createElement("input");  // shown only when copying is impossible
    manual.readOnly = true;
    manual.className = "cp-copy-manual";
    manual.style.display = "none";
    el.append(button, manual);

    let timer = null;
    const idle = () => {
      button.textContent = model.get("label");
      button.title = model.get("hint") || "Copy to clipboard";
      button.classList.remove("cp-copied", "cp-copy-failed");
    };
    idle();

    const onClick = async () => {
      const text = model.get("text");
      clearTimeout(timer);
      try {
        const how = await copyText(text);
        button.textContent = "Copied ✓";
        button.classList.add("cp-copied");
        manual.style.display = "none";
        model.send({ type: "copied", how });
      } catch (err) {
        button.textContent = "Press Ctrl+C";
        button.classList.add("cp-copy-failed");
        manual.value = text;
        manual.style.display = "";
        manual.focus();
        manual.select();
        model.send({ type: "copy_failed", error: String(err) });
      }
      timer = setTimeout(idle, 1600);
    };
    button.addEventListener("click", onClick);
    model.on("change:label", idle);
    model.on("change:hint", idle);
    return () => {
      clearTimeout(timer);
      button.removeEventListener("click", onClick);
      model.off("change:label", idle);
      model.off("change:hint", idle);
    };
  },
};
