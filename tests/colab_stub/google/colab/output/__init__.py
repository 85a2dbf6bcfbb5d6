"""Stub of `google.colab.output`: same names and signatures as colabtools; each call is recorded.

The custom widget manager switch lives in `_widgets` (as in Colab, where anywidget reads
`google.colab.output._widgets._installed_url`).
"""

import json

from google.colab._log import record
from google.colab.output._widgets import disable_custom_widget_manager, enable_custom_widget_manager  # noqa: F401


def serve_kernel_port_as_iframe(port, path="/", width="100%", height="400", cache_in_notebook=False):
    """Like Colab: an iframe whose src the output frame gets from `google.colab.kernel.proxyPort`
    (passing `{cache: cache_in_notebook}`), shown only when `accessAllowed` or cached."""
    from IPython.display import Javascript, display

    record("output.serve_kernel_port_as_iframe", port=port, path=path,
           cache_in_notebook=cache_in_notebook)
    args = ", ".join(json.dumps(v) for v in (int(port), path, width, str(height),
                                             bool(cache_in_notebook)))
    display(Javascript(
        "(async (port, path, width, height, cache, element) => {\n"
        "  const kernel = google.colab.kernel;\n"
        "  if (!kernel.accessAllowed && !cache) return;\n"
        "  const base = await kernel.proxyPort(port, {cache});\n"
        "  const frame = document.createElement('iframe');\n"
        "  frame.src = new URL(path, base).toString();\n"
        "  frame.width = width; frame.height = height; frame.style.border = '0';\n"
        "  element.appendChild(frame);\n"
        f"}})({args}, typeof element !== 'undefined' ? element : window.element);"
    ))


def serve_kernel_port_as_window(port, path="/", anchor_text=None, skip_warning=False):
    """Like Colab: a link whose href comes from `google.colab.kernel.proxyPort(port)`."""
    from IPython.display import Javascript, display

    record("output.serve_kernel_port_as_window", port=port, path=path)
    text = anchor_text or f"https://localhost:{port}{path}"
    args = ", ".join(json.dumps(v) for v in (int(port), path, text))
    display(Javascript(
        "(async (port, path, text, element) => {\n"
        "  const kernel = google.colab.kernel;\n"
        "  if (!kernel.accessAllowed) return;\n"
        "  const base = await kernel.proxyPort(port);\n"
        "  const link = document.createElement('a');\n"
        "  link.href = new URL(path, base).toString(); link.target = '_blank';\n"
        "  link.textContent = text;\n"
        "  element.appendChild(link);\n"
        f"}})({args}, typeof element !== 'undefined' ? element : window.element);"
    ))


def eval_js(script, ignore_result=False, timeout_sec=None):
    # Colab runs `script` in the page and returns its value; a kernel has no page to ask here.
    record("output.eval_js", script=script)
    if ignore_result:
        return None
    raise NotImplementedError("the Colab stub cannot evaluate JavaScript and return its value")


def register_callback(function_name, callback):
    record("output.register_callback", function_name=function_name)
    _callbacks[function_name] = callback


def clear(wait=False, output_tags=()):
    from IPython.display import clear_output

    clear_output(wait=wait)


_callbacks = {}
