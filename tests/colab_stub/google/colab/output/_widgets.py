"""Stub of `google.colab.output._widgets`: the custom widget manager switch, as Colab has it.

`enable_custom_widget_manager()` remembers the manager's URL in `_installed_url` (anywidget reads
it there) and registers a display_pub hook that adds
``metadata["application/vnd.jupyter.widget-view+json"]["colab"]["custom_widget_manager"]["url"]``
to each widget output published through display_pub: `display()` (display_data and
update_display_data), never a cell's last expression (execute_result goes through the
displayhook, not display_pub).

The URL is the stand-in's manager when the Colab stand-in started the kernel
($COLAB_STANDIN_MANAGER_URL), else Colab's published one (JupyterLab ignores it).
"""

import os

from google.colab._log import record

WIDGET_MIME_TYPE = "application/vnd.jupyter.widget-view+json"
# Colab's manager for widgets version '5.0.0a' (colabtools google/colab/output/_widgets.py).
COLAB_MANAGER_URL = ("https://ssl.gstatic.com/colaboratory-static/widgets/"
                     "colab-cdn-widget-manager/2b70e893a8ba7c0f/manager.min.js")
SUPPORTED_VERSIONS = ("5.0.0a",)

_installed_url = None


def manager_url():
    return os.environ.get("COLAB_STANDIN_MANAGER_URL") or COLAB_MANAGER_URL


def enable_custom_widget_manager(version="5.0.0a"):
    if version not in SUPPORTED_VERSIONS:
        raise ValueError(f"Unknown widgets version: {version}")
    record("output.enable_custom_widget_manager", version=version)
    _install(manager_url())


def disable_custom_widget_manager():
    record("output.disable_custom_widget_manager")
    _install(None)


def _install(url):
    global _installed_url
    display_pub = _display_pub()
    # Outside IPython (plain-Python unit tests) there is no display_pub: Colab would fail on the
    # attribute; the stub only remembers the URL.
    if display_pub is not None:
        if url and not _installed_url:
            display_pub.register_hook(_add_manager_metadata)
        elif not url and _installed_url:
            display_pub.unregister_hook(_add_manager_metadata)
    _installed_url = url


def _display_pub():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(shell, "display_pub", None)


def _add_manager_metadata(msg):
    """display_pub hook: name the custom manager in a widget output's metadata."""
    if not _installed_url:
        return msg
    content = msg.get("content") or {}
    if not content or WIDGET_MIME_TYPE not in (content.get("data") or {}):
        return msg
    widget_metadata = content.setdefault("metadata", {}).setdefault(WIDGET_MIME_TYPE, {})
    widget_metadata["colab"] = {"custom_widget_manager": {"url": _installed_url}}
    return msg
