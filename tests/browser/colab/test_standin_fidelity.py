"""The Colab stand-in behaves like Colab where Colab differs from JupyterLab.

Each test pins one property that a product test relies on; if one fails, the stand-in (not the
product) has drifted from Colab. Facts and sources: tests/colab_standin/README.md.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

COUNTER = '''
import anywidget, traitlets
class Counter(anywidget.AnyWidget):
    _esm = """export default { render({ model, el }) {
      el.classList.add('counter');
      const show = () => { el.textContent = 'count ' + model.get('value'); };
      show(); model.on('change:value', show);
    } }"""
    value = traitlets.Int(3).tag(sync=True)

class BareView:
    """A widget's view bundle with no metadata, as ipywidgets' own repr gives it."""
    def __init__(self, widget):
        self.widget = widget
    def _repr_mimebundle_(self, **kwargs):
        return {"text/plain": "BareView", "%s": {
            "version_major": 2, "version_minor": 0, "model_id": self.widget.model_id}}
''' % WIDGET_MIME

# A small page server in the kernel: "/" is a document that fetches "/data" from its own origin
# (what TensorBoard does inside Colab's proxy iframe); "/data" answers with CORS allowed for all.
PORT_SERVER = '''
import http.server, threading
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/data"):
            body, kind = b"proxied-data", "text/plain"
        else:
            body = (b"<html><body><div id=out>loading</div><script>"
                    b"fetch('/data').then(r => r.text()).then(t => document.getElementById('out').textContent = t)"
                    b".catch(e => document.getElementById('out').textContent = 'failed ' + e);"
                    b"</script></body></html>")
            kind = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
page_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=page_server.serve_forever, daemon=True).start()
port = page_server.server_address[1]
'''


# A document that polls its own origin every 200 ms and counts the answers (a live chart served
# through the proxy, the way TensorBoard runs in Colab).
POLLING_PAGE = """
poll_html = (b"<html><body><div id=count>0</div><script>let n = 0;"
             b"setInterval(() => fetch('/data').then(r => r.ok && (document.getElementById('count').textContent = ++n)), 200);"
             b"</script></body></html>")
class PollingHandler(Handler):
    def do_GET(self):
        if self.path == "/":
            self.send_response(200); self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(poll_html))); self.end_headers()
            self.wfile.write(poll_html)
        else:
            super().do_GET()
poll_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), PollingHandler)
threading.Thread(target=poll_server.serve_forever, daemon=True).start()
from google.colab import output
output.serve_kernel_port_as_iframe(poll_server.server_address[1], height='60')
"""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _manager(colab, index: int) -> str:
    """Which manager rendered cell `index`'s first widget output: "builtin" or "custom"."""
    return colab.frame(index).evaluate("() => document.querySelector('.standin-widget').dataset.manager")


def _define_counter(colab):
    colab.run_cell(COUNTER)  # each test has a fresh page; the module's kernel is shared


def test_page_output_frames_and_proxied_ports_are_three_origins(colab):
    colab.run_cell(PORT_SERVER)
    i = colab.run_cell("from google.colab import output\noutput.serve_kernel_port_as_iframe(port, height='80')")
    frame = colab.frame(i)
    inner = colab.output_frame(i).frame_locator("iframe")
    inner.locator("#out", has_text="proxied-data").wait_for(timeout=20_000)
    page_origin = colab.page.evaluate("() => location.origin")
    frame_origin = frame.evaluate("() => location.origin")
    proxy_url = frame.evaluate("() => document.querySelector('iframe').src")
    origins = {page_origin, frame_origin, _origin(proxy_url)}
    assert len(origins) == 3, origins
    # the output frame cannot reach into the page (cross-origin)
    assert frame.evaluate("() => { try { return !!window.parent.document; } catch (e) { return false; } }") is False


def test_proxy_lets_an_iframe_through_and_refuses_a_cross_origin_fetch(colab):
    colab.run_cell(PORT_SERVER)
    i = colab.run_cell("from google.colab import output\noutput.serve_kernel_port_as_iframe(port, height='80')")
    colab.output_frame(i).frame_locator("iframe").locator("#out", has_text="proxied-data").wait_for(
        timeout=20_000)
    frame = colab.frame(i)
    port = colab.standin("s.proxyPortCalls.at(-1).port")
    for credentials in ("same-origin", "include", "omit"):
        result = frame.evaluate("""async ([port, credentials]) => {
            const base = await google.colab.kernel.proxyPort(port, {cache: false});
            try { const r = await fetch(base + 'data', {credentials}); return 'status ' + r.status + ' ' + await r.text(); }
            catch (e) { return 'refused: ' + e; } }""", [port, credentials])
        assert result.startswith("refused: TypeError"), (credentials, result)
    log = colab.server.proxy_log()
    assert any(r["allowed"] and r["mode"] == "navigate" for r in log)
    assert any(r["allowed"] and r["site"] == "same-origin" and r["path"].startswith("/data") for r in log)
    assert any(not r["allowed"] and r["mode"] == "cors" for r in log)
    # Colab's serve_kernel_port_as_iframe asks with {cache: cache_in_notebook} (False here)
    calls = colab.proxy_port_calls()
    assert {"port": port, "options": {"cache": False}} in [
        {"port": c["port"], "options": c["options"]} for c in calls]
    assert colab.frame(i).evaluate("() => google.colab.kernel.accessAllowed") is True


def test_a_proxied_document_polling_its_own_origin_keeps_going_while_a_cell_is_busy(colab):
    colab.run_cell(PORT_SERVER)
    i = colab.run_cell(POLLING_PAGE)
    count = colab.output_frame(i).frame_locator("iframe").locator("#count")
    count.wait_for(timeout=20_000)
    busy = colab.run_cell("import time\ntime.sleep(3)", wait=False)
    colab.wait_until_running(busy)
    before = int(count.inner_text())
    colab.page.wait_for_timeout(2000)
    assert colab.cell_status(busy) == "running"
    assert int(count.inner_text()) >= before + 5
    colab.wait_for_cell(busy)


def test_a_widget_view_without_colab_metadata_gets_the_core_only_manager(colab):
    _define_counter(colab)
    i = colab.run_cell("c = Counter()\nBareView(c)")
    notice = colab.output_frame(i).locator(".colab-standin-unsupported")
    notice.wait_for(timeout=30_000)
    assert "anywidget" in notice.inner_text() and "enable_custom_widget_manager" in notice.inner_text()
    assert colab.output_frame(i).locator(".counter").count() == 0
    # a core widget in the same kind of output renders
    j = colab.run_cell("import ipywidgets as w\nBareView(w.IntSlider(5))")
    colab.output_frame(j).locator(".widget-slider").wait_for(timeout=30_000)
    assert _manager(colab, j) == "builtin"


def test_an_execute_result_never_carries_the_metadata(colab):
    """The displayhook (execute_result) runs no display_pub hooks, so even with the custom
    manager enabled such a view of a box gets the core-only manager, and its anywidget child
    cannot load."""
    _define_counter(colab)
    i = colab.run_cell("from google.colab import output\noutput.enable_custom_widget_manager()\n"
                       "import ipywidgets as w\nBareView(w.VBox([w.IntSlider(1), Counter()]))")
    colab.output_frame(i).locator(".colab-standin-unsupported").wait_for(timeout=30_000)


def test_a_widget_as_last_expression_follows_its_ipywidgets_version(colab):
    """ipywidgets 8 widgets display through _repr_mimebundle_ (an execute_result: no metadata);
    ipywidgets 7 (Colab's 7.7.1) through _ipython_display_, i.e. display() (display_data: the
    hook adds the metadata once enabled)."""
    _define_counter(colab)
    i = colab.run_cell("from google.colab import output\noutput.enable_custom_widget_manager()\n"
                       "import ipywidgets as w\nw.VBox([w.IntSlider(1), Counter(value=6)])")
    major = colab.run_cell("print(w.__version__.split('.')[0])")
    colab.page.wait_for_timeout(200)
    if colab.output_text(major).strip() == "7":
        colab.output_frame(i).locator(".counter", has_text="count 6").wait_for(timeout=30_000)
        assert _manager(colab, i) == "custom"
    else:
        colab.output_frame(i).locator(".colab-standin-unsupported").wait_for(timeout=30_000)
        assert _manager(colab, i) == "builtin"


def test_display_after_enable_custom_widget_manager_renders_an_anywidget(colab):
    _define_counter(colab)
    i = colab.run_cell("from google.colab import output\noutput.enable_custom_widget_manager()\n"
                       "from IPython.display import display\nshown = Counter(value=4)\n"
                       "display(shown)")
    colab.output_frame(i).locator(".counter", has_text="count 4").wait_for(timeout=30_000)
    assert _manager(colab, i) == "custom"
    # anywidget's front end came as AMD from the CDN route, at the version range the kernel's
    # anywidget asked for (jsdelivr's URL layout)
    fetched = colab.frame(i).evaluate(
        "() => performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/cdn/npm/'))")
    assert any("/cdn/npm/anywidget@" in url and url.endswith("/dist/index.js") for url in fetched), fetched
    colab.run_cell("shown.value = 9")  # a main-thread update reaches the view
    colab.output_frame(i).locator(".counter", has_text="count 9").wait_for(timeout=10_000)


def test_anywidget_as_top_level_last_expression_adds_the_metadata_itself(colab):
    _define_counter(colab)
    i = colab.run_cell("Counter(value=5)")
    colab.output_frame(i).locator(".counter", has_text="count 5").wait_for(timeout=30_000)


def test_a_model_the_custom_managers_controls_lack_fails_to_render(colab):
    """controls 4.0.0-alpha.3 has no TextStyleModel (ipywidgets 8.1 sends one for Text)."""
    i = colab.run_cell(
        "import ipywidgets as w, traitlets\n"
        "from google.colab import output\noutput.enable_custom_widget_manager()\n"
        "class Styled(w.DOMWidget):\n"
        "    _model_module = traitlets.Unicode('@jupyter-widgets/controls').tag(sync=True)\n"
        "    _model_name = traitlets.Unicode('TextStyleModel').tag(sync=True)\n"
        "    _view_module = traitlets.Unicode('@jupyter-widgets/controls').tag(sync=True)\n"
        "    _view_name = traitlets.Unicode('HTMLView').tag(sync=True)\n"
        "display(Styled())")
    error = colab.output_frame(i).locator(".colab-standin-widget-error")
    error.wait_for(timeout=30_000)
    assert "TextStyleModel" in error.inner_text()


def test_comm_messages_from_a_background_thread_are_dropped(colab):
    i = colab.run_cell("import ipywidgets as w, threading, time\nslider = w.IntSlider(0)\nslider")
    readout = colab.output_frame(i).locator(".widget-readout")
    readout.wait_for(timeout=30_000)
    dropped_before = colab.standin("s.dropped.length")
    colab.run_cell("def work():\n    for v in range(1, 6):\n        slider.value = v\n        time.sleep(0.05)\n"
                   "t = threading.Thread(target=work); t.start(); t.join()")
    time.sleep(0.5)
    assert colab.standin("s.dropped.length") - dropped_before >= 5
    assert readout.inner_text() == "0"
    # after the cell, still dropped (colabtools#3373's example starts the thread and returns)
    colab.run_cell("t = threading.Thread(target=work); t.start()")
    colab.page.wait_for_function(f"() => window.__colabStandin.dropped.length >= {dropped_before + 10}",
                                 timeout=10_000)
    assert readout.inner_text() == "0"
    colab.run_cell("slider.value = 42")  # the main thread's update arrives
    colab.output_frame(i).locator(".widget-readout", has_text="42").wait_for(timeout=10_000)


def test_messages_from_the_page_wait_until_the_running_cell_ends(colab):
    i = colab.run_cell("import ipywidgets as w, time\nclicks = []\nbutton = w.Button(description='Click me')\n"
                       "button.on_click(lambda _: clicks.append(time.time()))\nbutton")
    button = colab.output_frame(i).get_by_role("button", name="Click me")
    button.wait_for(timeout=30_000)
    busy = colab.run_cell("time.sleep(3)\nended = time.time()", wait=False)
    colab.wait_until_running(busy)
    button.click()
    colab.wait_for_cell(busy)
    check = colab.run_cell("print(len(clicks), all(t >= ended for t in clicks))")
    colab.page.wait_for_timeout(200)
    assert colab.output_text(check).strip() == "1 True"


def test_an_ipywidgets_7_tab_loses_its_view_in_the_custom_manager(colab):
    _define_counter(colab)  # for BareView
    """controls 4.0.0-alpha.3's TabView reads `titles`; ipywidgets 7.7.1 syncs `_titles`, so the
    Tab's view fails and its box shows the rest without it (colabtools#3571 shows the same for
    Accordion). ipywidgets 8 syncs `titles` and the Tab renders."""
    i = colab.run_cell("import ipywidgets as w\nfrom google.colab import output\n"
                       "output.enable_custom_widget_manager()\n"
                       "tab = w.Tab(children=[w.IntSlider(1), w.IntSlider(2)])\n"
                       "tab.set_title(0, 'one'); tab.set_title(1, 'two')\n"
                       "display(w.VBox([w.IntSlider(7), tab]))")
    frame = colab.output_frame(i)
    frame.locator(".widget-slider").first.wait_for(timeout=30_000)
    major = colab.run_cell("print(w.__version__.split('.')[0])")
    colab.page.wait_for_timeout(200)
    tabs = frame.locator(".lm-TabBar-tab")
    if colab.output_text(major).strip() == "7":
        colab.page.wait_for_timeout(1000)  # give a late view its chance
        assert tabs.count() == 0
        # the built-in manager (ipywidgets 7's own front end) shows the same Tab with its titles
        j = colab.run_cell("BareView(tab)")
        builtin_tabs = colab.output_frame(j).locator(".p-TabBar-tab, .lm-TabBar-tab")
        builtin_tabs.nth(1).wait_for(timeout=30_000)
        assert [t.strip() for t in builtin_tabs.all_inner_texts()] == ["one", "two"]
        assert _manager(colab, j) == "builtin"
    else:
        tabs.nth(1).wait_for(timeout=10_000)
        assert [t.strip() for t in tabs.all_inner_texts()] == ["one", "two"]
