"""The copy button where the clipboard API is blocked, as in a Colab output frame.

Colab shows each output in a cross-origin iframe; without the `clipboard-write` permissions
policy `navigator.clipboard.writeText` rejects there, and `js/copy_button.js` falls back to a
hidden textarea plus `document.execCommand("copy")`, or, if that fails too, shows the text
selected for Ctrl+C. A loopback server here serves a top page holding an
`<iframe sandbox="allow-scripts">` (an opaque, hence cross-origin, frame) that renders the real
module with a minimal stand-in for the anywidget model.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from colab_panel.widgets.static import static_path

TEXT = "https://drive.google.com/uc?export=download&id=1CopyFallbackCopyFallback00 — résumé.csv"
SENTINEL = "clipboard before the click"

TOP_PAGE = """<!doctype html><meta charset="utf-8"><title>notebook</title>
<p>Colab-like page</p>
<iframe id="output" sandbox="allow-scripts" src="/frame.html" width="600" height="200"></iframe>
"""

# The stand-in model: `get` serves the synced traits, `send` records each message together with
# what the button and the manual input showed at that moment (the "Copied" state lasts 1.6 s,
# so reading it afterwards would depend on timing).
FRAME_PAGE = """<!doctype html><meta charset="utf-8"><body><p id="other">other output</p><div id="host"></div>
<script type="module">
import widget from "/copy_button.js";
const traits = {text: %(text)s, label: "Copy", hint: "Copy the link"};
const host = document.getElementById("host");
window.sent = [];
const model = {
  get: (name) => traits[name],
  on() {}, off() {}, save_changes() {},
  send(msg) {
    const button = host.querySelector("button"), manual = host.querySelector("input");
    window.sent.push({msg, button: button.textContent, classes: [...button.classList],
      manual: {shown: manual.style.display !== "none", value: manual.value, focused: document.activeElement === manual,
               start: manual.selectionStart, end: manual.selectionEnd}});
  },
};
widget.render({model, el: host});
window.rendered = true;
</script>
"""

WRITE_TEXT = """async () => {
  try { await navigator.clipboard.writeText("probe"); return "resolved"; }
  catch (err) { return err.name + ": " + err.message; }
}"""


@contextmanager
def _frame_server() -> Iterator[str]:
    module = static_path("copy_button.js").read_bytes()
    routes = {
        "/": ("text/html", TOP_PAGE.encode()),
        "/frame.html": ("text/html", (FRAME_PAGE % {"text": json.dumps(TEXT)}).encode()),
        "/copy_button.js": ("text/javascript", module),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path not in routes:
                self.send_error(404)
                return
            kind, body = routes[self.path]
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            # the sandboxed frame has an opaque origin: its module import is a CORS request
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def colab_like(page):
    """The top page with its sandboxed output frame rendered; the clipboard holds SENTINEL."""
    with _frame_server() as origin:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page.goto(origin + "/")
        frame = page.frame_locator("#output")
        frame.locator("button.cp-copy-button").wait_for()
        output = page.frame(url=origin + "/frame.html")
        output.wait_for_function("() => window.rendered === true")
        page.evaluate("(text) => navigator.clipboard.writeText(text)", SENTINEL)
        assert page.evaluate("() => navigator.clipboard.readText()") == SENTINEL
        # the fast path must be closed in the frame, or these tests could pass through it; a
        # frame without focus is refused for that reason alone, so focus it first
        frame.locator("#other").click()
        assert output.evaluate("() => window.isSecureContext && document.hasFocus()") is True
        blocked = output.evaluate(WRITE_TEXT)
        assert blocked.startswith("NotAllowedError") and "permissions policy" in blocked, blocked
        yield page, frame, output


def test_execcommand_fallback_copies_from_the_blocked_frame(colab_like):
    page, frame, output = colab_like
    button = frame.locator("button.cp-copy-button")
    assert button.inner_text() == "Copy"

    button.click()
    output.wait_for_function("() => window.sent.length > 0")

    [sent] = output.evaluate("() => window.sent")
    assert sent["msg"] == {"type": "copied", "how": "execCommand"}
    assert sent["button"] == "Copied ✓" and "cp-copied" in sent["classes"]
    assert sent["manual"]["shown"] is False
    assert page.evaluate("() => navigator.clipboard.readText()") == TEXT
    # the hidden textarea is gone again
    assert output.evaluate("() => document.querySelectorAll('textarea').length") == 0


def test_refused_copy_shows_the_text_selected_and_says_why(colab_like):
    page, frame, output = colab_like
    # a browser that refuses execCommand("copy"): it returns false
    output.evaluate("() => { document.execCommand = () => false; }")

    frame.locator("button.cp-copy-button").click()
    output.wait_for_function("() => window.sent.length > 0")

    [sent] = output.evaluate("() => window.sent")
    assert sent["msg"] == {"type": "copy_failed", "error": "Error: the browser refused to copy"}
    assert sent["button"] == "Press Ctrl+C" and "cp-copy-failed" in sent["classes"]
    assert sent["manual"] == {"shown": True, "value": TEXT, "focused": True, "start": 0, "end": len(TEXT)}
    manual = frame.locator("input.cp-copy-manual")
    assert manual.is_visible()
    assert manual.input_value() == TEXT
    assert page.evaluate("() => navigator.clipboard.readText()") == SENTINEL
