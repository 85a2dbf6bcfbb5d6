"""`close_tree`: free a widget and everything inside it, so closed panels leave no comms behind."""

from __future__ import annotations

from collections import Counter

import ipywidgets as widgets


def close_tree(widget: widgets.Widget) -> None:
    """Close `widget`, every widget inside it (Box children), and the layouts and styles they own.

    A Layout or style used by more than one widget (a module-level `Layout(...)` reused by every
    view, say) stays open: closing it would break the next view that uses it.
    """
    from ipywidgets.widgets.widget import _instances  # the registry of open widgets

    tree: list[widgets.Widget] = []
    stack = [widget]
    while stack:
        w = stack.pop()
        tree.append(w)
        stack.extend(getattr(w, "children", ()))
    uses = Counter(id(getattr(w, name, None)) for w in list(_instances.values())
                   for name in ("layout", "style"))
    owned = [part for w in tree for name in ("layout", "style")
             if isinstance(part := getattr(w, name, None), widgets.Widget) and uses[id(part)] == 1]
    for w in tree + owned:
        w.close()
