// The panel's tab bar (colab_panel/widgets/tab_bar.py). Switching pages happens here in the page,
// at once, also while a cell keeps the kernel busy (a kernel-side switch would wait for the
// cell to end: opening the Monitor during training must not). The pages are this bar's
// siblings in the `.cp-tabs` box; the one shown carries `cp-tab-shown`, the others are hidden by
// the panel's CSS. The kernel hears the choice (`selected_index`) when it is idle, to build a
// tab on first need.
export default {
  render({ model, el }) {
    const bar = document.createElement("div");
    bar.className = "cp-tabbar";
    bar.setAttribute("role", "tablist");
    el.appendChild(bar);

    const pages = () => {
      const box = el.closest(".cp-tabs");
      return box ? [...box.querySelectorAll(":scope > .cp-tab-page")] : [];
    };

    function show(index) {
      [...bar.children].forEach((button, i) => {
        button.classList.toggle("cp-tab-current", i === index);
        button.setAttribute("aria-selected", String(i === index));
        button.tabIndex = i === index ? 0 : -1;
      });
      pages().forEach((page, i) => page.classList.toggle("cp-tab-shown", i === index));
    }

    function draw() {
      bar.replaceChildren(...model.get("titles").map((title, i) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "cp-tab-button";
        button.setAttribute("role", "tab");
        button.textContent = title;
        button.addEventListener("click", () => pick(i));
        return button;
      }));
      show(model.get("selected_index"));
    }

    function pick(index) {
      show(index);
      if (model.get("selected_index") !== index) {
        model.set("selected_index", index);
        model.save_changes();
      }
    }

    bar.addEventListener("keydown", (event) => {
      const count = bar.children.length;
      const current = model.get("selected_index");
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step || !count) return;
      event.preventDefault();
      const next = (current + step + count) % count;
      pick(next);
      bar.children[next].focus();
    });

    const onIndex = () => show(model.get("selected_index"));
    model.on("change:titles", draw);
    model.on("change:selected_index", onIndex);
    // The pages are attached after this view on first render: mark the shown one once they are.
    requestAnimationFrame(onIndex);
    draw();
    return () => {
      model.off("change:titles", draw);
      model.off("change:selected_index", onIndex);
    };
  },
};
