"""The few ipywidgets 7 / 8 differences the panel meets, in one place.

Colab's runtime ships ipywidgets 7.7.1 (tools/colab/pip-freeze.txt) and a `pip install` must not
upgrade it under a running kernel, so the panel runs on 7.7.1 as well as on 8.x. On 7, a trait
that only 8 has is not an error: a keyword argument is dropped with a DeprecationWarning and an
attribute is set as a plain Python attribute, so the page never sees it. Views go through these
helpers instead of naming such traits. (One more to know: 7 has `tooltip` on buttons only and
`description_tooltip` elsewhere; tests/unit/frame/test_widget_compat.py names any such slip.)
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

IPYWIDGETS_MAJOR = int(widgets.__version__.split(".", 1)[0])


def open_widgets() -> dict[str, widgets.Widget]:
    """The registry of open widgets, by model id (the live dict: copy it before closing any)."""
    if IPYWIDGETS_MAJOR >= 8:
        from ipywidgets.widgets.widget import _instances  # 8: Widget.widgets is deprecated

        return _instances
    return widgets.Widget.widgets


def mimebundle(widget: widgets.Widget, **kwargs: Any) -> dict[str, Any] | None:
    """What `widget` shows as a cell's result: for a `_repr_mimebundle_` of an object that wraps it.

    8 has `Widget._repr_mimebundle_`; 7 has only `_ipython_display_`, which publishes the same
    bundle itself and then runs the widget's on_displayed callbacks (a Box's tell its children
    they are shown), as done here.
    """
    if hasattr(widget, "_repr_mimebundle_"):
        return widget._repr_mimebundle_(**kwargs)
    plaintext = repr(widget)
    data: dict[str, Any] = {"text/plain": plaintext[:110] + "…" if len(plaintext) > 110 else plaintext}
    if widget._view_name is None:
        return data
    data["application/vnd.jupyter.widget-view+json"] = {
        "version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    # IPython calls _ipython_display_() bare; `include`/`exclude` are only for mimebundles
    widget._handle_displayed()
    return data
