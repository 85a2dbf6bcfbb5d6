"""The few calls into Colab's own `google.colab` module, each a no-op outside Colab."""

from __future__ import annotations

import logging

from colab_panel.runtime.frontend import in_colab

_log = logging.getLogger(__name__)


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
