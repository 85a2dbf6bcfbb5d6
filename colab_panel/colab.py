"""The few calls into Colab's own `google.colab` module, each a no-op outside Colab.

Colab renders a third-party widget (anywidget, our charts) only when the output that shows it
names Colab's custom widget manager in its metadata. `enable_custom_widget_manager()` makes
Colab's display hook add that name to `display_data` messages, never to the `execute_result`
of a cell's last expression, so the panel always goes out as `display_data` and carries the
name itself too (`widget_view_metadata`).
"""

from __future__ import annotations

import logging
from typing import Any

from colab_panel.runtime.frontend import in_colab

_log = logging.getLogger(__name__)

WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"


def enable_custom_widget_manager() -> bool:
    """Let Colab render third-party widgets (anywidget, plotly). True when it was enabled."""
    if not in_colab():
        return False
    try:
        from google.colab import output
    except ImportError:
        return False
    try:
        output.enable_custom_widget_manager()
    except Exception:  # an older Colab without it still shows core widgets
        _log.warning("google.colab.output.enable_custom_widget_manager() failed", exc_info=True)
        return False
    return True


def custom_widget_manager_url() -> str | None:
    """The URL of the widget manager Colab enabled, or None (outside Colab, or not enabled).

    Colab keeps it in `google.colab.output._widgets`; reading it lets an output carry the
    metadata whichever way it is shown. When Colab moves it, the display hook still adds it
    to every `display_data`, which is how the panel is shown."""
    if not in_colab():
        return None
    try:
        from google.colab.output import _widgets
    except ImportError:
        return None
    url = getattr(_widgets, "_installed_url", None)
    return url if isinstance(url, str) and url else None


def widget_view_metadata() -> dict[str, Any]:
    """Metadata for a widget output: names Colab's custom widget manager there, {} elsewhere."""
    url = custom_widget_manager_url()
    if url is None:
        return {}
    return {WIDGET_VIEW_MIME: {"colab": {"custom_widget_manager": {"url": url}}}}
