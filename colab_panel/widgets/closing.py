"""`close_tree`: free a widget and everything inside it, so closed panels leave no comms behind."""

from __future__ import annotations

from collections import Counter

import ipywidgets as widgets

from colab_panel.widgets.compat import open_widgets


def close_tree(widget: widgets.Widget) -> None:
    """Close `widget`, every widget inside it (Box children), and the layouts and styles they own.

    A Layout or style used by more than one widget (a module-level `Layout(...)` reused by every
    view, say) stays open: closing it would break the next view that uses it.
    """
    tree: list[widgets.Widget] = []
    stack = [widget]
    while stack:
        w = stack.pop()
        tree.append(w)
        stack.extend(getattr(w, "children", ()))
    uses = Counter(id(getattr(w, name, None)) for w in list(open_widgets().values())
                   for name in ("layout", "style"))
    owned = [part for w in tree for name in ("layout", "style")
             if isinstance(part := getattr(w, name, None), widgets.Widget) and uses[id(part)] == 1]
    for w in tree + owned:
        w.close()
