"""Stub of `google.colab.output`: same names and signatures as colabtools, recorded not rendered."""

from google.colab._log import record

_custom_widget_manager_enabled = False


def enable_custom_widget_manager():
    global _custom_widget_manager_enabled
    _custom_widget_manager_enabled = True
    record("output.enable_custom_widget_manager")


def disable_custom_widget_manager():
    global _custom_widget_manager_enabled
    _custom_widget_manager_enabled = False
    record("output.disable_custom_widget_manager")


def serve_kernel_port_as_iframe(port, path="/", width="100%", height="400", cache_in_notebook=False):
    """Like Colab: an iframe whose src comes from the page's `google.colab.kernel.proxyPort`."""
    from IPython.display import Javascript, display

    record("output.serve_kernel_port_as_iframe", port=port, path=path)
    display(Javascript(
        "(async () => {"
        f" const url = new URL({path!r}, await google.colab.kernel.proxyPort({int(port)}));"
        " const f = document.createElement('iframe');"
        f" f.src = url; f.width = {str(width)!r}; f.height = {str(height)!r}; f.frameBorder = 0;"
        " element.appendChild(f); })();"
    ))


def serve_kernel_port_as_window(port, path="/", anchor_text=None):
    from IPython.display import Javascript, display

    record("output.serve_kernel_port_as_window", port=port, path=path)
    text = anchor_text or f"https://localhost:{port}{path}"
    display(Javascript(
        "(async () => {"
        f" const url = new URL({path!r}, await google.colab.kernel.proxyPort({int(port)}));"
        " const a = document.createElement('a'); a.href = url; a.target = '_blank';"
        f" a.textContent = {text!r}; element.appendChild(a); }})();"
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
