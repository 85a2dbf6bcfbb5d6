"""The chart's JavaScript in parts: joined into one module for anywidget, served as they are to
the chart frame. (The parts' own logic is tested by Node: `node --test tests/js/`.)"""

from __future__ import annotations

import re
import shutil
import subprocess
import urllib.request

import pytest

from colab_panel.widgets import live_chart, static
from colab_panel.widgets.static import joined_module, static_path

PARTS = sorted(p.name for p in (static_path("live_chart.js").parent / "live_chart").glob("*.js"))


def test_the_widget_module_is_the_entry_with_every_part_it_imports_once_and_no_import_left():
    text = live_chart.LiveChart._esm
    assert text == joined_module("live_chart.js")
    joined = re.findall(r"^// ---- (\S+) ----$", text, flags=re.M)
    assert joined[-1] == "live_chart.js" and len(joined) == len(set(joined))
    # every part but the types-only protocol.js, which nothing imports, and the shade helper it
    # shares with the transfer box (js/shade.js)
    assert sorted(joined[:-1]) == sorted(["shade.js", *(f"live_chart/{p}" for p in PARTS if p != "protocol.js")])
    assert not re.search(r"^\s*import\b", text, flags=re.M)
    assert re.findall(r"^export .*$", text, flags=re.M) == ["export default { initialize, render };"]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_joined_module_loads_as_one_es_module(tmp_path):
    module = tmp_path / "live_chart.mjs"
    module.write_text(live_chart.LiveChart._esm)
    probe = f"const m = await import({str(module)!r}); console.log(Object.keys(m.default).sort().join());"
    out = subprocess.run(["node", "--input-type=module", "-e", probe], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "initialize,render"


def test_joining_refuses_an_import_it_cannot_join(tmp_path, monkeypatch):
    (tmp_path / "entry.js").write_text('import * as part from "./part.js";\nexport default {};\n')
    monkeypatch.setattr(static, "static_path", lambda name: tmp_path / name)
    with pytest.raises(ValueError, match=r"entry.js: cannot join this line"):
        joined_module("entry.js")


def test_parts_in_a_folder_resolve_relative_to_the_importer_and_come_once(tmp_path, monkeypatch):
    (tmp_path / "lib").mkdir()
    (tmp_path / "entry.js").write_text('import { a } from "./lib/a.js";\nimport { b } from "./lib/b.js";\n'
                                       "export default { a, b };\n")
    (tmp_path / "lib" / "a.js").write_text('import { b } from "./b.js";\nexport const a = () => b;\n')
    (tmp_path / "lib" / "b.js").write_text("export function b() {}\n")
    monkeypatch.setattr(static, "static_path", lambda name: tmp_path / name)
    assert joined_module("entry.js") == ("// ---- lib/b.js ----\nfunction b() {}\n\n"
                                         "// ---- lib/a.js ----\nconst a = () => b;\n\n"
                                         "// ---- entry.js ----\nexport default { a, b };\n")


def test_the_chart_page_can_load_every_part_from_the_endpoint(sampler):
    from colab_panel.monitor.endpoint import SampleEndpoint

    files = live_chart.chart_page_files()
    assert {f"live_chart/{p}" for p in PARTS} <= set(files)
    with SampleEndpoint(sampler, files=files) as endpoint:
        for part in PARTS:
            with urllib.request.urlopen(f"{endpoint.url}static/live_chart/{part}", timeout=10) as answer:
                assert answer.headers["Content-Type"].startswith("text/javascript")
                assert answer.read() == static_path(f"live_chart/{part}").read_bytes()
